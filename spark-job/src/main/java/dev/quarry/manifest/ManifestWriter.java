package dev.quarry.manifest;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.OutputLayout;
import dev.quarry.convert.plan.OutputTensorPlan;
import dev.quarry.convert.plan.ShardTask;
import dev.quarry.convert.plan.TensorAction;
import dev.quarry.convert.plan.TensorPlan;
import dev.quarry.fs.FileSystems;
import dev.quarry.quality.ErrorStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes the manifest of a conversion once its shards are in place (and before {@code _SUCCESS}):
 * the CRC32C of every tensor as the executors wrote it ({@code quarry verify} reads the files
 * back and checks them), each weight's error merged from its blocks, and the record of the conversion.
 */
public final class ManifestWriter {
  private ManifestWriter() {}

  /**
   * @param errors the quantization error of each converted tensor, by tensor id, as the executors measured it
   * @param crcs   shard file name → tensor name → CRC32C, as the executors wrote them
   */
  public static void write(ConvertOptions o, ConversionIdentity conversion, OutputLayout layout, Map<Integer, ErrorStats> errors,
      Map<String, Map<String, Long>> crcs) throws IOException {
    Path out = new Path(o.output());
    FileSystem fs = FileSystems.forPath(out);
    List<ManifestRow> rows = new ArrayList<>();
    for (ShardTask shard : layout.shards()) {
      for (OutputTensorPlan t : shard.tensors()) {
        rows.add(row(t, shard.fileName(), layout.sources().get(t.name()), o, crcs.get(shard.fileName()).get(t.name()), errors));
      }
    }
    Manifest m = new Manifest(conversion, rows);
    ManifestFile.write(fs, new Path(out, Manifest.FILE_NAME), m);
  }

  private static ManifestRow row(OutputTensorPlan t, String file, TensorPlan source, ConvertOptions o, long crc,
      Map<Integer, ErrorStats> errors) {
    TensorAction action = source.action();
    boolean converted = action != TensorAction.COPY;
    boolean fourBit = action == TensorAction.QUANTIZE && o.mode().isFourBit();
    TensorError error = converted && t.name().equals(source.tensor().name()) ? TensorError.of(errors.getOrDefault(source.id(), ErrorStats.NONE)) : null;
    return new ManifestRow(t.name(), file, source.tensor().name(), action.name().toLowerCase(Locale.ROOT),
        converted ? o.mode().cliName() : null, fourBit ? o.blocksize() : null, t.dtype().name(), t.shape(),
        t.byteSize(), crc, error);
  }
}
