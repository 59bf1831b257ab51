package dev.quarry.convert.inprocess;

import dev.quarry.bnb.QuantStorage;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceComparison;
import dev.quarry.testing.ReferenceData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quarry quantize --quant-storage float16} on each shard of {@code sources/storage/llama128/input}
 * writes what transformers saved with {@code bnb_4bit_quant_storage=float16}: every tensor of
 * {@code hf-nf4-storage-fp16}, the packed codes as {@code F16 [n / 4, 1]}, byte for byte.
 */
class QuantStorageTest {
  @TempDir
  Path dir;

  @Test
  void quantizeStoresTheCodesAsTransformersDoes() throws IOException {
    QuantizeOptions options = new QuantizeOptions(QuantMode.NF4, QuantizeOptions.DEFAULT_BLOCKSIZE, false, false,
        QuantStorage.FLOAT16);
    SafetensorsQuantizer quantizer = new SafetensorsQuantizer(options);
    List<Path> outputs = new ArrayList<>();
    for (int shard = 1; shard <= 5; shard++) {
      String name = "model-0000" + shard + "-of-00005.safetensors";
      Path out = dir.resolve(name);
      quantizer.quantize(LocalFiles.fs(), LocalFiles.hadoopPath(ReferenceData.file("sources/storage/llama128/input/" + name)),
          LocalFiles.fs(), LocalFiles.hadoopPath(out));
      outputs.add(out);
    }
    new ReferenceComparison(QuantMode.NF4).compareAll(outputs,
        ReferenceData.file("sources/storage/llama128/hf-nf4-storage-fp16/model.safetensors"));
  }
}
