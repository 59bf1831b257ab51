package dev.quarry.verify;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.fs.FileSystems;
import dev.quarry.manifest.ConversionIdentity;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestFile;
import dev.quarry.manifest.ManifestRow;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.safetensors.TensorEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code verify --input}: converts the input again, with the settings the manifest records, into a
 * scratch directory (under {@code _verify/} inside the output, or a given one; removed afterwards), then compares every
 * tensor byte for byte on Spark and reports where they differ. Also compares the input's files with
 * those the manifest's record of the conversion names ({@link ConversionIdentity#sameInputAs}:
 * modification times aside, a copy of the input is the same input), so a different input is named as such.
 */
final class InputRederivation {
  static final String SCRATCH = "_verify";

  private final JavaSparkContext sc;
  private final Path dir;
  private final Manifest manifest;
  private final Path scratchRoot;

  /** @param scratch where to convert the input again, or null for {@code _verify/} inside the output */
  InputRederivation(JavaSparkContext sc, Path dir, Manifest manifest, Path scratch) {
    this.sc = sc;
    this.dir = dir;
    this.manifest = manifest;
    this.scratchRoot = scratch != null ? scratch : new Path(dir, SCRATCH);
  }

  List<Problem> compare(String input) throws IOException {
    List<Problem> problems = new ArrayList<>();
    Path inputPath = new Path(input);
    FileSystem inFs = FileSystems.forPath(inputPath);
    ConversionIdentity now = ConversionIdentity.of(inFs, inputPath, ModelReader.read(inFs, inputPath),
        manifest.settings().options(input, input));
    if (!now.sameInputAs(manifest.conversion())) {
      problems.add(new Problem(null, null, null, "the input " + input
          + " is not the one the manifest records (file names, sizes, shard header hashes or config.json differ)"));
    }
    FileSystem fs = FileSystems.forPath(dir);
    Path scratch = new Path(scratchRoot, UUID.randomUUID().toString());
    try {
      ConversionJob.run(sc, manifest.settings().options(input, scratch.toString()), line -> {});
      Manifest again = ManifestFile.read(fs, new Path(scratch, Manifest.FILE_NAME));
      Map<String, TensorPosition> ours = positions(fs, dir, manifest);
      Map<String, TensorPosition> derived = positions(fs, scratch, again);
      Map<String, String> fileOf = new HashMap<>();
      List<TensorPair> pairs = new ArrayList<>();
      for (ManifestRow r : manifest.rows()) {
        fileOf.put(r.name(), r.file());
        TensorPosition a = ours.get(r.name());
        TensorPosition b = derived.get(r.name());
        if (b == null) {
          problems.add(new Problem(r.file(), r.name(), null, "the input gives no such tensor"));
        } else if (a != null && a.length() != b.length()) {
          problems.add(new Problem(r.file(), r.name(), null, a.length() + " bytes, the input gives " + b.length()));
        } else if (a != null) {
          pairs.add(new TensorPair(r.name(), a.file(), a.offset(), b.file(), b.offset(), a.length()));
        }
      }
      derived.keySet().stream().filter(name -> !ours.containsKey(name) && !fileOf.containsKey(name)).sorted()
          .forEach(name -> problems.add(new Problem(null, name, null, "the input gives this tensor, the output lacks it")));
      for (TensorDifference d : ByteComparison.differences(sc, pairs)) {
        problems.add(new Problem(fileOf.get(d.tensor()), d.tensor(), d.firstOffset(),
            d.differingBytes() + " byte(s) differ from the quantization of the input"));
      }
    } finally {
      fs.delete(scratch, true);
      if (scratchRoot.getName().equals(SCRATCH)) {
        fs.delete(scratchRoot, true); // quarry's own directory inside the output; a user's scratch stays
      }
    }
    return problems;
  }

  /** Where each tensor of an output lies (only shards whose headers read; the others are reported already). */
  private static Map<String, TensorPosition> positions(FileSystem fs, Path dir, Manifest m) {
    Map<String, TensorPosition> out = new HashMap<>();
    m.rows().stream().map(ManifestRow::file).distinct().forEach(file -> {
      Path path = new Path(dir, file);
      try (SafetensorsFile f = SafetensorsFile.open(fs, path)) {
        for (TensorEntry t : f.header().tensors()) {
          out.put(t.name(), new TensorPosition(path.toString(), f.header().dataStart() + t.begin(), t.byteSize()));
        }
      } catch (IOException e) {
        // unreadable or missing: OutputVerifier has said so
      }
    });
    return out;
  }

  private record TensorPosition(String file, long offset, long length) {}
}
