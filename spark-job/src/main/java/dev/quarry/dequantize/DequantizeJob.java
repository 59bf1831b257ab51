package dev.quarry.dequantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.convert.store.ShardDestination;
import dev.quarry.fs.FileSystems;
import dev.quarry.json.ShardIndexJson;
import dev.quarry.manifest.Manifest;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.ShardSplitter;
import dev.quarry.spark.SparkJobs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code quarry dequantize}: a bitsandbytes checkpoint back to a plain Hugging Face one (bfloat16,
 * float16 or float32 weights), to measure quantization error downstream. The driver plans from the
 * headers; executors write one shard each; the output is committed like a conversion's (shards
 * renamed into place, index, config.json without its quantization_config, other files, _SUCCESS).
 */
public final class DequantizeJob {
  private DequantizeJob() {}

  /** Returns the number of tensors written. */
  public static int run(JavaSparkContext sc, String quantized, String output, Dtype dtype, long maxShardBytes)
      throws IOException {
    Path input = new Path(quantized);
    InputModel model = ModelReader.read(FileSystems.forPath(input), input);
    List<DequantTensor> tensors = DequantPlanner.plan(model, dtype);
    List<List<DequantTensor>> split = ShardSplitter.split(tensors, t -> t.spec().byteSize(), maxShardBytes);
    List<DequantShardTask> tasks = new ArrayList<>();
    for (int i = 0; i < split.size(); i++) {
      tasks.add(new DequantShardTask(ShardSplitter.fileName(i, split.size()), split.get(i)));
    }
    OutputStore store = new OutputStore(new Path(output));
    store.prepare();
    try {
      ShardDestination destination = store.shardDestination();
      List<String> written = SparkJobs.collect(sc.parallelize(tasks, Math.max(1, tasks.size()))
          .map(task -> DequantShardWriter.write(task, destination, TaskContext.get().taskAttemptId())));
      Map<String, String> weightMap = new TreeMap<>();
      long total = 0;
      long parameters = 0;
      for (int i = 0; i < tasks.size(); i++) {
        store.commitShard(written.get(i), store.pathOf(tasks.get(i).fileName()));
        for (DequantTensor t : tasks.get(i).tensors()) {
          weightMap.put(t.name(), tasks.get(i).fileName());
          total += t.spec().byteSize();
          parameters += t.elementCount();
        }
      }
      if (tasks.size() > 1) {
        store.writeJson(ModelReader.INDEX, ShardIndexJson.of(weightMap, parameters, total));
      }
      if (model.config() != null) {
        Map<String, Object> config = new LinkedHashMap<>(model.config());
        config.remove("quantization_config");
        store.writeJson(ModelReader.CONFIG, config);
      }
      store.copyUnchanged(model.otherFiles().stream().filter(p -> !p.getName().equals(Manifest.FILE_NAME)).toList());
      // _SUCCESS names what made the output, so that a convert into this directory refuses it without --overwrite
      store.finish(new ObjectMapper().writeValueAsString(Map.of("dequantized", quantized, "dtype", dtype == null ? "auto" : dtype.name())));
    } catch (IOException | RuntimeException e) {
      store.abandon();
      throw e;
    }
    return tensors.size();
  }
}
