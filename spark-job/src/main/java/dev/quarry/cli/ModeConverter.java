package dev.quarry.cli;

import dev.quarry.quantize.QuantMode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --mode nf4-dq} by the names Fabric uses. */
enum ModeConverter implements ITypeConverter<QuantMode> {
  INSTANCE;

  @Override
  public QuantMode convert(String value) {
    try {
      return QuantMode.fromCliName(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
