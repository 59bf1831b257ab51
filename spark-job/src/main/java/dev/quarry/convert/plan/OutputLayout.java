package dev.quarry.convert.plan;

import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.SafetensorsLayout;
import dev.quarry.safetensors.ShardSplitter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every output tensor goes: the output shards (HF names, transformers' split rule) with the
 * pieces of each tensor, and for each output tensor the input tensor it was made from. Built from
 * the plan and the double-quant offsets alone, the same way for a conversion and a dry run.
 */
public record OutputLayout(List<ShardTask> shards, Map<String, TensorPlan> sources) {
  public OutputLayout {
    shards = List.copyOf(shards);
    sources = Map.copyOf(sources);
  }

  /**
   * @param offsets double-quant offset per tensor id (the scan pass's; zeros for a dry run, whose
   *                quant_state texts then hold a stand-in offset of the same kind)
   */
  public static OutputLayout of(ConversionPlan plan, ConvertOptions o, float[] offsets) throws CheckpointException {
    List<OutputTensorPlan> outputs = new ArrayList<>();
    Map<String, TensorPlan> sources = new HashMap<>();
    int ids = plan.blocks().stream().mapToInt(b -> b.blockId() + 1).max().orElse(0);
    BlockTask[] byId = new BlockTask[ids];
    plan.blocks().forEach(b -> byId[b.blockId()] = b);
    for (TensorPlan t : plan.tensors()) {
      for (OutputTensorPlan out : OutputTensors.of(t, o, Arrays.asList(byId), offsets[t.id()])) {
        outputs.add(out);
        sources.put(out.name(), t);
      }
    }
    OutputNames.requireUnique(outputs, plan);
    List<List<OutputTensorPlan>> split = ShardSplitter.split(outputs, OutputTensorPlan::byteSize, o.maxShardBytes());
    List<ShardTask> shards = new ArrayList<>();
    for (int i = 0; i < split.size(); i++) {
      shards.add(new ShardTask(ShardSplitter.fileName(i, split.size()), split.get(i)));
    }
    return new OutputLayout(shards, sources);
  }

  /** The bytes of the shard files (headers included). */
  public long shardFileBytes() {
    return shards.stream().mapToLong(OutputLayout::fileBytes).sum();
  }

  /** The bytes of one shard file (header included). */
  public static long fileBytes(ShardTask shard) {
    return SafetensorsLayout.of(shard.tensors().stream().map(OutputTensorPlan::spec).toList(),
        SafetensorsLayout.PYTORCH_METADATA).fileLength();
  }
}
