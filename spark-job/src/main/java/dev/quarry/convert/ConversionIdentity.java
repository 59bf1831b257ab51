package dev.quarry.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.QuarryRelease;
import dev.quarry.quantize.QuantStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a conversion is, as one JSON line: the quarry version that made it, its input files (path,
 * length, modification time) and every option that changes the output bytes. A completed output holds it in {@code _SUCCESS}, so a
 * rerun tells its own finished output (nothing to do) from a different model's or mode's (refused
 * unless --overwrite). The same identity at commit as at the start also tells that no input file
 * changed under the conversion.
 */
record ConversionIdentity(String json) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static ConversionIdentity of(FileSystem fs, Path input, InputModel model, ConvertOptions o) throws IOException {
    List<Path> files = new ArrayList<>();
    for (InputShard s : model.shards()) {
      files.add(new Path(s.path()));
    }
    Path dir = fs.getFileStatus(input).isDirectory() ? input : input.getParent();
    for (String name : List.of(ModelReader.CONFIG, ModelReader.INDEX, ModelReader.TORCH_INDEX)) {
      if (fs.exists(new Path(dir, name))) {
        files.add(new Path(dir, name));
      }
    }
    files.addAll(model.otherFiles());
    List<Map<String, Object>> described = new ArrayList<>();
    for (Path f : files) {
      FileStatus st = fs.getFileStatus(f);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("path", fs.makeQualified(f).toString());
      d.put("length", st.getLen());
      d.put("modified", st.getModificationTime());
      described.add(d);
    }
    Map<String, Object> id = new LinkedHashMap<>();
    id.put("quarry", QuarryRelease.version());
    id.put("input", fs.makeQualified(input).toString());
    id.put("mode", o.mode().cliName());
    id.put("blocksize", o.blocksize());
    id.put("all_linear", o.rules().allLinear());
    id.put("skip_modules", o.rules().skipModules());
    id.put("include_modules", o.rules().includeModules());
    id.put("max_shard_bytes", o.maxShardBytes());
    id.put("allow_non_finite", o.allowNonFinite());
    // only when not the default, so that an output made before these options is still this conversion's
    if (o.quantStorage() != QuantStorage.UINT8) {
      id.put("quant_storage", o.quantStorage().torchName());
    }
    if (o.computeDtype() != null) {
      id.put("compute_dtype", o.computeDtype().torchName());
    }
    id.put("files", described);
    try {
      return new ConversionIdentity(JSON.writeValueAsString(id));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** "input X, mode Y" of an identity read back from an output, or a phrase saying it is unknown. */
  static String describe(String json) {
    try {
      Map<?, ?> id = JSON.readValue(json, Map.class);
      if (id != null && id.get("input") instanceof String in && id.get("mode") instanceof String mode) {
        return "input " + in + ", mode " + mode;
      }
    } catch (IOException e) {
      // not an identity quarry wrote
    }
    return "not recorded";
  }

}
