package dev.quarry.convert.inprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.testing.IndependentFloat16;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.TensorFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** int8-training on the reference shards: Linear weights cast to float16, checked against an independent cast. */
class Int8TrainingCastTest {
  @TempDir
  Path dir;

  @Test
  void linearWeightsBecomeFloat16AndTheRestIsCopied() throws IOException {
    SafetensorsQuantizer quantizer =
        new SafetensorsQuantizer(QuantizeOptions.of(QuantMode.INT8_TRAINING));
    int cast = 0;
    for (int shard = 1; shard <= 5; shard++) {
      Path in = ReferenceData.tinyLlamaShard(shard);
      Path out = dir.resolve("out-" + shard + ".safetensors");
      quantizer.quantize(LocalFiles.fs(), LocalFiles.hadoopPath(in), LocalFiles.fs(), LocalFiles.hadoopPath(out));
      try (TensorFiles input = new TensorFiles(in); TensorFiles result = new TensorFiles(out)) {
        assertEquals(input.file().header().tensors().size(), result.file().header().tensors().size());
        for (TensorEntry t : input.file().header().tensors()) {
          TensorEntry r = result.entry(t.name());
          assertEquals(t.shape(), r.shape());
          boolean linear = t.rank() == 2 && !t.name().contains("embed_tokens") && !t.name().startsWith("lm_head");
          if (!linear) {
            assertEquals(Dtype.BF16, r.dtype(), t.name());
            assertArrayEquals(input.bytes(t.name()), result.bytes(t.name()), t.name());
            continue;
          }
          cast++;
          assertEquals(Dtype.F16, r.dtype(), t.name());
          ByteBuffer bf16 = input.buffer(t.name());
          ByteBuffer f16 = result.buffer(t.name());
          for (int i = 0; bf16.hasRemaining(); i++) {
            float v = Float.intBitsToFloat((bf16.getShort() & 0xffff) << 16);
            assertEquals(IndependentFloat16.bits(v), f16.getShort(), t.name() + "[" + i + "] = " + v);
          }
        }
      }
    }
    assertEquals(14, cast);
  }

  @Test
  void independentCastKnownValues() {
    assertEquals((short) 0x3c00, IndependentFloat16.bits(1.0f));
    assertEquals((short) 0x7bff, IndependentFloat16.bits(65504f));
    assertEquals((short) 0x0001, IndependentFloat16.bits(0x1p-24f));
    assertEquals((short) 0x0000, IndependentFloat16.bits(0x1p-25f), "tie between 0 and the smallest subnormal: even");
    assertEquals((short) 0x0002, IndependentFloat16.bits(0x1.4p-23f), "2.5 ulp: tie → 2");
    assertEquals((short) 0x0400, IndependentFloat16.bits(0x1p-14f));
    assertEquals((short) 0xc000, IndependentFloat16.bits(-2f));
    assertEquals((short) 0x3c00, IndependentFloat16.bits(1f + 0x1p-11f), "tie → even mantissa");
    assertEquals((short) 0x3c02, IndependentFloat16.bits(1f + 0x1p-11f + 0x1p-10f), "tie → even mantissa (up)");
  }
}
