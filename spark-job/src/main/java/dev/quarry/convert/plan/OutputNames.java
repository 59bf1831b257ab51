package dev.quarry.convert.plan;

import dev.quarry.safetensors.CheckpointException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An input that already holds a tensor named like one a quantized weight brings (a checkpoint
 * quantized before, or a hostile one: {@code w.weight} beside {@code w.weight.absmax}) would give
 * an output with two tensors of one name: refused, naming the input tensor of that name.
 */
final class OutputNames {
  private OutputNames() {}

  static void requireUnique(List<OutputTensorPlan> outputs, ConversionPlan plan) throws CheckpointException {
    Set<String> names = new HashSet<>();
    for (OutputTensorPlan o : outputs) {
      if (!names.add(o.name())) {
        Map<String, String> fileOf = new HashMap<>();
        plan.tensors().forEach(t -> fileOf.put(t.tensor().name(), t.shard().path()));
        throw new CheckpointException(fileOf.getOrDefault(o.name(), "input"), o.name(),
            "the input already holds a tensor of the name a quantized tensor needs");
      }
    }
  }
}
