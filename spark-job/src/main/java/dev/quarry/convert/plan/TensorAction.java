package dev.quarry.convert.plan;

/** What a conversion does with one input tensor. */
public enum TensorAction {
  /** 4-bit or int8 quantization (the mode says which). */
  QUANTIZE,
  /** int8-training: the weight cast to float16 ({@code bnb-exact.md} §5). */
  CAST,
  /** Copied byte for byte. */
  COPY
}
