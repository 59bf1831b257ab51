package dev.quarry.cli;

import dev.quarry.kernels.ElementType;
import dev.quarry.bnb.QuantStorage;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --quant-storage} and {@code --compute-dtype} by the torch dtype names transformers writes. */
final class OutputDtypeConverters {
  private OutputDtypeConverters() {}

  /** {@code --quant-storage uint8|bfloat16|float16|float32}. */
  enum Storage implements ITypeConverter<QuantStorage> {
    INSTANCE;

    @Override
    public QuantStorage convert(String value) {
      try {
        return QuantStorage.fromTorchName(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@code --compute-dtype float32|bfloat16|float16}. */
  enum Compute implements ITypeConverter<ElementType> {
    INSTANCE;

    @Override
    public ElementType convert(String value) {
      ElementType t = ElementType.fromTorchName(value);
      if (t == null) {
        throw new TypeConversionException("unknown compute dtype '" + value + "'; allowed: " + ElementType.torchNames());
      }
      return t;
    }
  }
}
