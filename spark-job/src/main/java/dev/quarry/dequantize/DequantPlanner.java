package dev.quarry.dequantize;

import dev.quarry.bnb.BnbNames;
import dev.quarry.bnb.QuantStateJson;
import dev.quarry.bnb.QuantizationConfigJson;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.InputShard;
import dev.quarry.fs.FileSystems;
import dev.quarry.kernels.ElementType;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import dev.quarry.torch.TorchCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;

/**
 * Decides, on the driver from the headers (and the small quant_state JSON tensors), what a
 * bitsandbytes checkpoint dequantizes to, as transformers saves it ({@link BnbNames}): a 4-bit weight
 * is recognised by its {@code .quant_state.bitsandbytes__<type>} tensor, an int8 weight by its module's {@code SCB};
 * their companion tensors disappear and everything else is copied. Works on any such checkpoint
 * (quarry's, transformers', Fabric's), not only on ones with a manifest.
 */
final class DequantPlanner {
  private final Map<String, Located> tensors = new LinkedHashMap<>();

  private record Located(InputShard shard, TensorEntry entry) {
    FileRange range() {
      return new FileRange(shard.path(), shard.dataStart() + entry.begin(), entry.byteSize());
    }
  }

  private DequantPlanner(InputModel model) {
    for (InputShard s : model.shards()) {
      for (TensorEntry t : s.tensors()) {
        tensors.put(t.name(), new Located(s, t));
      }
    }
  }

  /**
   * @param dtype the dtype of dequantized weights, or null: a 4-bit weight's original dtype (its
   *              quant_state names it), for int8 the model's dtype in config.json (else float32)
   */
  static List<DequantTensor> plan(InputModel model, Dtype dtype) throws IOException {
    // ModelReader also reads PyTorch checkpoints, as sources to quantize; bitsandbytes checkpoints are safetensors
    for (InputShard s : model.shards()) {
      if (TorchCheckpoint.isTorchFile(new Path(s.path()).getName())) {
        throw new CheckpointException(s.path(), null, "a PyTorch checkpoint: dequantize reads bitsandbytes"
            + " checkpoints in safetensors, as quarry and transformers write them");
      }
    }
    return new DequantPlanner(model).plan(dtype, modelDtype(model.config()));
  }

  private List<DequantTensor> plan(Dtype dtype, Dtype modelDtype) throws IOException {
    Set<String> consumed = new HashSet<>();
    Map<String, DequantTensor> weights = new LinkedHashMap<>();
    for (String name : tensors.keySet()) {
      String weight = BnbNames.fourBitWeightOf(name);
      if (weight != null) {
        weights.put(weight, fourBit(weight, name, dtype));
        consumed.add(name);
        consumed.addAll(BnbNames.fourBitCompanions(weight));
      } else if (name.endsWith(".weight") && tensors.get(name).entry().dtype() == Dtype.I8) {
        String module = BnbNames.module(name);
        if (tensors.containsKey(BnbNames.scb(module))) {
          weights.put(name, int8(name, module, dtype != null ? dtype : modelDtype));
          consumed.add(BnbNames.scb(module));
          consumed.add(BnbNames.weightFormat(module));
        }
      }
    }
    List<DequantTensor> out = new ArrayList<>();
    for (Located t : tensors.values()) {
      String name = t.entry().name();
      if (weights.containsKey(name)) {
        out.add(weights.get(name));
      } else if (!consumed.contains(name)) {
        out.add(DequantTensor.copy(name, t.entry().dtype(), t.entry().shape(), t.range()));
      }
    }
    return out;
  }

  private DequantTensor fourBit(String weight, String stateName, Dtype dtype) throws IOException {
    Located packed = require(weight, stateName);
    Located absmax = require(BnbNames.absmax(weight), stateName);
    Located located = tensors.get(stateName);
    QuantStateJson.State state = QuantStateJson.read(bytes(located), located.shard().path(), stateName);
    Dtype original = dtypeOf(state.dtype(), stateName);
    return new DequantTensor(weight, DequantTensor.Kind.FOUR_BIT, dtype != null ? dtype : original, state.shape(),
        packed.range(), absmax.range(), state.nested() ? require(BnbNames.nestedAbsmax(weight), stateName).range() : null,
        state.quantType(), state.blocksize(), state.nestedOffset(), 0);
  }

  private DequantTensor int8(String weight, String module, Dtype dtype) {
    TensorEntry w = tensors.get(weight).entry();
    long cols = w.rank() == 0 ? 1 : w.shape().get(w.rank() - 1);
    return new DequantTensor(weight, DequantTensor.Kind.INT8, dtype, w.shape(), tensors.get(weight).range(),
        tensors.get(BnbNames.scb(module)).range(), null, null, 0, 0, cols);
  }

  private Located require(String name, String by) {
    Located t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("tensor '" + name + "' is missing (needed by " + by + ")");
    }
    return t;
  }

  private static byte[] bytes(Located t) throws IOException {
    Path path = new Path(t.shard().path());
    try (SafetensorsFile f = SafetensorsFile.open(FileSystems.forPath(path), path)) {
      ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.entry().byteSize()));
      f.read(t.entry(), 0, b);
      return b.array();
    }
  }

  /** The safetensors dtype of a torch dtype name ("bfloat16"). */
  static Dtype dtypeOf(String torchName, String where) throws CheckpointException {
    for (ElementType e : ElementType.values()) {
      if (e.torchName().equals(torchName)) {
        return Dtype.parse(e.safetensorsName());
      }
    }
    throw new CheckpointException(where, null, "dtype '" + torchName + "' is not bfloat16, float16 or float32");
  }

  private static Dtype modelDtype(Map<String, Object> config) throws CheckpointException {
    Object d = config == null ? null : QuantizationConfigJson.modelDtype(config);
    return d instanceof String s ? dtypeOf(s, "config.json") : Dtype.F32;
  }
}
