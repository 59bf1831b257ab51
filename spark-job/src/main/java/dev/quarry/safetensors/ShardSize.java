package dev.quarry.safetensors;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shard size as transformers reads {@code max_shard_size} ({@code convert_file_size_to_int}):
 * KB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024, a bare number is bytes.
 */
public final class ShardSize {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]I?B)?");

  private ShardSize() {}

  /** The bytes of "5GB", "500MB", "2GiB" or "1000"; IllegalArgumentException for anything else. */
  public static long parse(String value) {
    Matcher m = SIZE.matcher(value.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + value + "' is not a size like 5GB, 500MB, 2GiB or a byte count");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    boolean binary = unit.contains("I");
    int power = "BKMGT".indexOf(unit.charAt(0));
    long factor = 1;
    for (int i = 0; i < power; i++) {
      factor *= binary ? 1024 : 1000;
    }
    if (n <= 0) {
      throw new IllegalArgumentException("size '" + value + "' must be positive");
    }
    return Math.multiplyExact(n, factor);
  }
}
