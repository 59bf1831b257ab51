package dev.quarry.convert.scan;

import dev.quarry.bnb.BnbNames;
import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.TensorAction;
import dev.quarry.convert.plan.TensorPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * With --allow-non-finite, the tensors in whose blocks the scan pass found NaN or ±inf: they are kept unquantized in
 * their original dtype (their blocks' work is dropped), each is reported, and their modules go into
 * {@code llm_int8_skip_modules} so that transformers loads them as plain Linear layers; {@code kept} names each
 * kept tensor and what was found in it ("'name' (NaN at element 5)").
 */
public record NonFiniteTensors(ConversionPlan plan, List<String> modules, List<String> kept) {
  /** The plan with every tensor a block of which found non-finite values turned into a copy. */
  public static NonFiniteTensors keepUnquantized(ConversionPlan plan, Map<Integer, ScanResult> scans, Consumer<String> log) {
    List<TensorPlan> tensors = new ArrayList<>();
    List<String> modules = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (TensorPlan t : plan.tensors()) {
      String found = null;
      for (int b = t.firstBlock(); b < t.firstBlock() + t.blockCount() && found == null; b++) {
        ScanResult scan = scans.get(b);
        found = scan == null ? null : scan.nonFinite();
      }
      if (found == null) {
        tensors.add(t);
        continue;
      }
      String name = t.tensor().name();
      log.accept(String.format("--allow-non-finite: kept '%s' unquantized in %s (%s)", name, t.tensor().dtype(), found));
      modules.add(BnbNames.module(name));
      kept.add("'" + name + "' (" + found + ")");
      tensors.add(new TensorPlan(t.id(), t.shard(), t.tensor(), TensorAction.COPY, false, t.tensor().shape(),
          t.firstBlock(), 0));
    }
    if (modules.isEmpty()) {
      return new NonFiniteTensors(plan, List.of(), List.of());
    }
    List<BlockTask> remaining = plan.blocks().stream()
        .filter(b -> tensors.get(b.tensorId()).action() != TensorAction.COPY).toList();
    return new NonFiniteTensors(new ConversionPlan(tensors, remaining), modules, kept);
  }
}
