package dev.quarry.quantize;

import dev.quarry.safetensors.TensorSpec;

/** A tensor of the output file and where its bytes come from. */
record OutputTensor(TensorSpec spec, ByteSource source) {

  OutputTensor {
    if (spec.byteSize() != source.length()) {
      throw new IllegalStateException("output tensor '" + spec.name() + "' declares " + spec.byteSize()
          + " bytes but its source has " + source.length());
    }
  }
}
