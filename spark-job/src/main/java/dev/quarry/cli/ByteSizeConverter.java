package dev.quarry.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --max-shard-size 5GB} as transformers reads {@code max_shard_size}
 * ({@code convert_file_size_to_int}): KB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024, a
 * bare number is bytes.
 */
final class ByteSizeConverter implements ITypeConverter<Long> {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]I?B)?");

  @Override
  public Long convert(String value) {
    Matcher m = SIZE.matcher(value.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new TypeConversionException("'" + value + "' is not a size like 5GB, 500MB, 2GiB or a byte count");
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
      throw new TypeConversionException("size '" + value + "' must be positive");
    }
    return Math.multiplyExact(n, factor);
  }
}
