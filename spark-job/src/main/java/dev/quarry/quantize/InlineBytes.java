package dev.quarry.quantize;

import dev.quarry.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A small output tensor held in memory: codebooks, quant_state JSON, weight_format. */
record InlineBytes(byte[] bytes) implements ByteSource {

  @Override
  public long length() {
    return bytes.length;
  }

  @Override
  public void writeTo(SafetensorsWriter out, ByteBuffer scratch) throws IOException {
    out.write(bytes);
  }
}
