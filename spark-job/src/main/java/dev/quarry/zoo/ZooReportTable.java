package dev.quarry.zoo;

import java.util.List;
import java.util.Locale;

/** The zoo report as a fixed-width console table, failures' messages listed below it. */
public final class ZooReportTable {
  private ZooReportTable() {}

  public static String format(List<ZooResult> results) {
    StringBuilder b = new StringBuilder();
    String row = "%-24s %-14s %-10s %14s %14s %7s %9s %12s %9s %9s%n";
    b.append(String.format(Locale.ROOT, row, "model", "mode", "status", "input bytes", "output bytes", "ratio",
        "seconds", "max |err|", "min SQNR", "mean SQNR"));
    for (ZooResult r : results) {
      b.append(String.format(Locale.ROOT, row, r.model(), r.mode(), r.status().name().toLowerCase(Locale.ROOT),
          r.inputBytes(), r.outputBytes(), number("%.2f", r.compressionRatio()), String.format(Locale.ROOT, "%.1f", r.seconds()),
          number("%.4g", r.maxAbsError()), number("%.2f", r.minSqnrDb()), number("%.2f", r.meanSqnrDb())));
    }
    for (ZooResult r : results) {
      if (r.status() == ZooStatus.FAILED) {
        b.append(String.format(Locale.ROOT, "FAILED %s %s: %s%n", r.model(), r.mode(), r.message()));
      }
    }
    return b.toString();
  }

  private static String number(String format, Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, format, value);
  }
}
