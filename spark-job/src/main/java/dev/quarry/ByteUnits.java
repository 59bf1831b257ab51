package dev.quarry;

import java.util.Locale;

/**
 * Sizes and rates for people to read: the unit (B, KB, MB, GB, TB, powers of 1000 as in
 * {@code --max-shard-size}) is the largest that keeps the figure at 1 or more, with three significant
 * digits, so a 40 KB conversion reports {@code 25.0 KB/s}, not {@code 0.000 GB/s}.
 */
public final class ByteUnits {
  private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB"};

  private ByteUnits() {}

  /** {@code bytes} as e.g. {@code 512 B}, {@code 12.3 KB}, {@code 1.24 GB}. */
  public static String size(double bytes) {
    if (!(bytes >= 0) || Double.isInfinite(bytes)) {
      return "?";
    }
    if (bytes < 999.5) {
      return String.format(Locale.ROOT, "%.0f B", bytes);
    }
    int unit = 0;
    double value = bytes;
    // 999.5 and more would round to "1000": that is already the next unit's 1.00
    while (value >= 999.5 && unit < UNITS.length - 1) {
      value /= 1000;
      unit++;
    }
    String digits = value >= 99.95 ? "%.0f" : value >= 9.995 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, digits + " %s", value, UNITS[unit]);
  }

  /** {@code bytes} over {@code seconds} as e.g. {@code 25.0 KB/s}; {@code ?} when no time has passed. */
  public static String rate(double bytes, double seconds) {
    return seconds > 0 ? size(bytes / seconds) + "/s" : "? B/s";
  }
}
