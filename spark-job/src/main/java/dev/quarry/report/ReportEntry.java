package dev.quarry.report;

import dev.quarry.manifest.Manifest;
import dev.quarry.zoo.ZooResult;
import java.util.Locale;

/**
 * One model x mode of a report: where its output is, its manifest (null when it has none, e.g. a
 * zoo conversion that failed), its input and output bytes (0 when unknown), whether {@code _SUCCESS}
 * is there, and the zoo's row for it (null outside a zoo).
 */
public record ReportEntry(String model, String mode, String location, Manifest manifest, long inputBytes,
    long outputBytes, boolean complete, ZooResult zoo) {

  /** What the zoo did with it, or whether the output is complete. */
  public String status() {
    if (zoo != null) {
      return zoo.status().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
    return complete ? "complete" : "incomplete (no _SUCCESS)";
  }

  /** Input bytes over output bytes, or null when either is unknown. */
  public Double compressionRatio() {
    return inputBytes > 0 && outputBytes > 0 ? (double) inputBytes / outputBytes : null;
  }
}
