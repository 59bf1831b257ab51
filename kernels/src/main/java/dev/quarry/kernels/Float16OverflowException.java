package dev.quarry.kernels;

/** A finite input element that rounds to ±inf in float16: an input error of the int8 modes. */
public final class Float16OverflowException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  private final long elementIndex;
  private final float value;

  public Float16OverflowException(long elementIndex, float value) {
    super("value " + value + " at element " + elementIndex + " overflows float16");
    this.elementIndex = elementIndex;
    this.value = value;
  }

  /** Index of the element, relative to the start of the call's input. */
  public long elementIndex() {
    return elementIndex;
  }

  public float value() {
    return value;
  }
}
