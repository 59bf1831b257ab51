package dev.quarry.convert.commit;

import dev.quarry.bnb.QuantizationConfigJson;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.OutputLayout;
import dev.quarry.convert.plan.OutputTensorPlan;
import dev.quarry.convert.plan.Piece;
import dev.quarry.convert.plan.ShardTask;
import dev.quarry.convert.plan.TensorAction;
import dev.quarry.convert.plan.TensorPlan;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.convert.write.WrittenPiece;
import dev.quarry.json.ShardIndexJson;
import dev.quarry.manifest.ConversionIdentity;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.quality.ErrorStats;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.ModuleSelector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files of an output besides its shards, written at commit from the plan and from what was
 * written of the shards: the index (when there are several shards), config.json with the
 * {@code quantization_config} transformers writes for the mode, the model's other files copied
 * unchanged, and the manifest, with each tensor's CRC32C composed from its pieces' ({@link OutputCrcs})
 * and each weight's error merged from its blocks'.
 */
public final class OutputMetadata {
  private OutputMetadata() {}

  /**
   * @param keptNonFinite the modules kept unquantized for NaN or ±inf (--allow-non-finite)
   * @param written       every piece of the shards as it was written: by this run, or kept from an interrupted one
   */
  public static void write(OutputStore store, ConvertOptions o, InputModel model, ConversionIdentity identity,
      ConversionPlan plan, OutputLayout layout, List<String> keptNonFinite, List<WrittenPiece> written)
      throws IOException {
    Map<Piece, Long> pieceCrcs = new HashMap<>();
    Map<Integer, ErrorStats> errors = new HashMap<>();
    for (WrittenPiece w : written) {
      pieceCrcs.put(w.piece(), w.crc32c());
      if (w.errors() != null) {
        errors.merge(w.piece().block().tensorId(), w.errors(), ErrorStats::merge);
      }
    }
    writeIndex(store, layout.shards(), parameterCount(plan, o));
    if (model.config() != null) {
      Map<String, Object> q = QuantizationConfigJson.of(o.mode(), o.quantStorage(),
          o.computeDtype() == null ? null : o.computeDtype().torchName(), QuantizationConfigJson.modelDtype(model.config()),
          skipModules(o.rules(), plan, keptNonFinite));
      store.writeJson(ModelReader.CONFIG, QuantizationConfigJson.configWith(model.config(), q));
    }
    store.copyUnchanged(model.otherFiles());
    ManifestWriter.write(o, identity, layout, errors, OutputCrcs.of(layout, pieceCrcs));
  }

  /**
   * The index's {@code total_parameters}: transformers 5 writes {@code model.num_parameters()}, which
   * counts a 4-bit weight of n elements as its packed bytes times two (n rounded up to even) and an
   * int8 or copied tensor as its elements.
   */
  private static long parameterCount(ConversionPlan plan, ConvertOptions o) {
    long parameters = 0;
    for (TensorPlan t : plan.tensors()) {
      long n = t.tensor().elementCount();
      parameters += t.action() == TensorAction.QUANTIZE && o.mode().isFourBit() ? (n + 1) / 2 * 2 : n;
    }
    return parameters;
  }

  /** Writes the index when there are several shards, as transformers does. */
  private static void writeIndex(OutputStore store, List<ShardTask> shards, long parameters) throws IOException {
    long total = 0;
    Map<String, String> weightMap = new TreeMap<>();
    for (ShardTask s : shards) {
      for (OutputTensorPlan t : s.tensors()) {
        weightMap.put(t.name(), s.fileName());
        total += t.byteSize();
      }
    }
    if (shards.size() > 1) {
      store.writeJson(ModelReader.INDEX, ShardIndexJson.of(weightMap, parameters, total));
    }
  }

  /**
   * {@code llm_int8_skip_modules}: null (transformers decides, and decides as quarry did) unless the
   * user changed the selection; then every pattern skipped plus the heads quarry kept, so that
   * transformers builds the same modules when it loads the output.
   */
  private static List<String> skipModules(ModuleRules rules, ConversionPlan plan, List<String> keptNonFinite) {
    if (!rules.allLinear() && rules.skipModules().isEmpty() && rules.includeModules().isEmpty() && keptNonFinite.isEmpty()) {
      return null;
    }
    List<String> skip = new ArrayList<>(rules.skipModules());
    for (TensorPlan t : plan.tensors()) {
      String name = t.tensor().name();
      if (t.action() == TensorAction.COPY && t.tensor().rank() == 2 && name.endsWith(".weight")) {
        String module = name.substring(0, name.length() - ".weight".length());
        if (ModuleSelector.HEADS.contains(module.substring(module.lastIndexOf('.') + 1)) && !skip.contains(module)) {
          skip.add(module);
        }
      }
    }
    for (String module : keptNonFinite) {
      if (!skip.contains(module)) {
        skip.add(module);
      }
    }
    return skip;
  }
}
