package dev.quarry.convert;

import java.util.Locale;

/** A byte count for people: in B, KB, MB or GB (powers of 1000, as the rates are), three significant digits or more. */
final class ByteCounts {
  private static final String[] UNITS = {"B", "KB", "MB", "GB"};

  private ByteCounts() {}

  static String format(long bytes) {
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < UNITS.length - 1) {
      value /= 1000;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.2f %s", value, UNITS[unit]);
  }
}
