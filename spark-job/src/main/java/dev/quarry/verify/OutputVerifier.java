package dev.quarry.verify;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.bnb.QuantizationConfigJson;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.fs.FileSystems;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestFile;
import dev.quarry.manifest.ManifestRow;
import dev.quarry.manifest.TensorChecksums;
import dev.quarry.quantize.QuantMode;
import dev.quarry.bnb.QuantStorage;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Checks a conversion output against its manifest: {@code _SUCCESS}; every shard's header against
 * the manifest's rows (names, dtypes, shapes, sizes) and no stray shard; the index's weight map and
 * total size; config.json's {@code quantization_config} against the manifest's mode; then the CRC32C
 * of every tensor, recomputed on Spark. {@link InputRederivation} adds the comparison with the input.
 */
public final class OutputVerifier {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JavaSparkContext sc;
  private final Path dir;
  private final FileSystem fs;
  private final List<Problem> problems = new ArrayList<>();

  public OutputVerifier(JavaSparkContext sc, String output) throws IOException {
    this.sc = sc;
    Path path = new Path(output);
    this.fs = FileSystems.forPath(path);
    this.dir = fs.makeQualified(path);
  }

  /** @param input the model the output was made from, or null to check the output alone */
  public VerifyReport verify(String input) throws IOException {
    return verify(input, null);
  }

  /**
   * @param input   the model the output was made from, or null to check the output alone
   * @param scratch where {@code --input} converts again (null: {@code _verify/} inside the output)
   */
  public VerifyReport verify(String input, String scratch) throws IOException {
    if (!fs.exists(new Path(dir, "_SUCCESS"))) {
      problems.add(new Problem(null, null, null, "no _SUCCESS: the output is incomplete"));
    }
    Path manifestPath = new Path(dir, Manifest.FILE_NAME);
    if (!fs.exists(manifestPath)) {
      problems.add(new Problem(Manifest.FILE_NAME, null, null, "missing: nothing to verify against"));
      return new VerifyReport(0, 0, false, problems);
    }
    Manifest manifest = ManifestFile.read(fs, manifestPath);
    Map<String, List<ManifestRow>> byFile = new TreeMap<>();
    manifest.rows().forEach(r -> byFile.computeIfAbsent(r.file(), f -> new ArrayList<>()).add(r));
    List<Path> readable = checkShards(byFile);
    checkIndex(manifest, byFile.keySet());
    checkConfig(manifest);
    checkChecksums(manifest, readable);
    boolean rederived = false;
    if (input != null) {
      problems.addAll(new InputRederivation(sc, dir, manifest, scratch == null ? null : new Path(scratch)).compare(input));
      rederived = true;
    }
    long bytes = manifest.rows().stream().mapToLong(ManifestRow::byteSize).sum();
    return new VerifyReport(manifest.rows().size(), bytes, rederived, problems);
  }

  /** Headers against the manifest; returns the shards whose headers could be read. */
  private List<Path> checkShards(Map<String, List<ManifestRow>> byFile) throws IOException {
    List<Path> readable = new ArrayList<>();
    for (FileStatus f : fs.listStatus(dir)) {
      String name = f.getPath().getName();
      if (name.endsWith(".safetensors") && !byFile.containsKey(name)) {
        problems.add(new Problem(name, null, null, "a shard the manifest does not list"));
      }
    }
    for (Map.Entry<String, List<ManifestRow>> e : byFile.entrySet()) {
      Path shard = new Path(dir, e.getKey());
      if (!fs.exists(shard)) {
        problems.add(new Problem(e.getKey(), null, null, "missing"));
        continue;
      }
      try (SafetensorsFile f = SafetensorsFile.open(fs, shard)) {
        Set<String> unlisted = new LinkedHashSet<>();
        f.header().tensors().forEach(t -> unlisted.add(t.name()));
        for (ManifestRow r : e.getValue()) {
          unlisted.remove(r.name());
          checkEntry(e.getKey(), r, f.header().tensor(r.name()));
        }
        unlisted.forEach(t -> problems.add(new Problem(e.getKey(), t, null, "a tensor the manifest does not list")));
        readable.add(shard);
      } catch (IOException ex) {
        problems.add(new Problem(e.getKey(), null, null, "unreadable: " + ex.getMessage()));
      }
    }
    return readable;
  }

  private void checkEntry(String file, ManifestRow r, TensorEntry t) {
    if (t == null) {
      problems.add(new Problem(file, r.name(), null, "missing from the shard"));
    } else if (!t.dtype().name().equals(r.dtype()) || !t.shape().equals(r.shape()) || t.byteSize() != r.byteSize()) {
      problems.add(new Problem(file, r.name(), null, String.format("header says %s %s (%d bytes), the manifest %s %s (%d bytes)",
          t.dtype(), t.shape(), t.byteSize(), r.dtype(), r.shape(), r.byteSize())));
    }
  }

  private void checkIndex(Manifest manifest, Set<String> files) throws IOException {
    Path index = new Path(dir, ModelReader.INDEX);
    if (!fs.exists(index)) {
      if (files.size() > 1) {
        problems.add(new Problem(ModelReader.INDEX, null, null, "missing, with " + files.size() + " shards"));
      }
      return;
    }
    Map<String, Object> json = readJson(index);
    Map<String, Object> expected = new TreeMap<>();
    long total = 0;
    for (ManifestRow r : manifest.rows()) {
      expected.put(r.name(), r.file());
      total += r.byteSize();
    }
    if (!expected.equals(json.get("weight_map"))) {
      problems.add(new Problem(ModelReader.INDEX, null, null, "weight_map does not match the manifest's tensors and files"));
    }
    Object size = json.get("metadata") instanceof Map<?, ?> m ? m.get("total_size") : null;
    if (!(size instanceof Number n) || n.longValue() != total) {
      problems.add(new Problem(ModelReader.INDEX, null, null, "metadata.total_size is " + size + ", the tensors hold " + total));
    }
  }

  private void checkConfig(Manifest manifest) throws IOException {
    Path config = new Path(dir, ModelReader.CONFIG);
    if (!manifest.conversion().hasConfig()) {
      return; // a lone .safetensors input without config.json gets none
    }
    if (!fs.exists(config)) {
      problems.add(new Problem(ModelReader.CONFIG, null, null, "missing"));
      return;
    }
    QuantMode mode = QuantMode.fromCliName(manifest.settings().mode());
    Map<String, Object> written = readJson(config);
    // what the conversion writes; llm_int8_skip_modules depends on the data (--allow-non-finite) and is not checked
    Map<String, Object> expected = new LinkedHashMap<>(QuantizationConfigJson.of(mode,
        QuantStorage.fromTorchName(manifest.settings().quantStorage()), manifest.settings().computeDtype(),
        QuantizationConfigJson.modelDtype(written), null));
    expected.remove("llm_int8_skip_modules");
    Object q = written.get("quantization_config");
    if (!(q instanceof Map<?, ?> quantization)) {
      problems.add(new Problem(ModelReader.CONFIG, null, null, "no quantization_config"));
      return;
    }
    for (Map.Entry<String, Object> e : expected.entrySet()) {
      if (!Objects.equals(e.getValue(), quantization.get(e.getKey()))) {
        problems.add(new Problem(ModelReader.CONFIG, null, null, "quantization_config." + e.getKey() + " is "
            + quantization.get(e.getKey()) + ", the conversion in the manifest (mode " + mode + ") gives " + e.getValue()));
      }
    }
  }

  private void checkChecksums(Manifest manifest, List<Path> shards) throws IOException {
    Map<String, Map<String, Long>> crcs = TensorChecksums.compute(sc, shards);
    for (ManifestRow r : manifest.rows()) {
      Long crc = crcs.containsKey(r.file()) ? crcs.get(r.file()).get(r.name()) : null;
      if (crc != null && crc != r.crc32c()) {
        problems.add(new Problem(r.file(), r.name(), null,
            String.format("CRC32C %08x, the manifest says %08x", crc, r.crc32c())));
      }
    }
  }

  private Map<String, Object> readJson(Path path) throws IOException {
    try (InputStream in = fs.open(path)) {
      return JSON.readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {});
    }
  }
}
