package dev.quarry.kernels.vector;

/**
 * A bfloat16 bit pattern mapped to a signed 16-bit key whose order is the order of the values
 * (-0 just below +0, NaNs outside): negative patterns get their magnitude bits inverted.
 */
final class Bf16Keys {
  private Bf16Keys() {}

  static int key(short bits) {
    return (short) (bits ^ ((bits >> 15) & 0x7fff));
  }
}
