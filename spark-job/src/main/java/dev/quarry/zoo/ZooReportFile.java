package dev.quarry.zoo;

import static dev.quarry.manifest.ArrowColumns.FLOAT64;
import static dev.quarry.manifest.ArrowColumns.INT64;
import static dev.quarry.manifest.ArrowColumns.UTF8;
import static dev.quarry.manifest.ArrowColumns.field;
import static dev.quarry.manifest.ArrowColumns.number;
import static dev.quarry.manifest.ArrowColumns.setNumber;
import static dev.quarry.manifest.ArrowColumns.setText;
import static dev.quarry.manifest.ArrowColumns.text;

import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code <output_root>/quarry-zoo-report.arrow}: the last zoo run's report as an Arrow IPC file, one
 * row per model x mode (the console table's columns, the spec path in the schema metadata).
 */
public final class ZooReportFile {
  public static final String FILE_NAME = "quarry-zoo-report.arrow";
  /** The same run as a page with plots ({@code dev.quarry.report}), beside it. */
  public static final String HTML_FILE_NAME = "quarry-zoo-report.html";

  private ZooReportFile() {}

  private static Schema schema(String spec) {
    return new Schema(List.of(field("model", UTF8, false), field("mode", UTF8, false), field("status", UTF8, false),
        field("input_bytes", INT64, false), field("output_bytes", INT64, false),
        field("compression_ratio", FLOAT64, true), field("seconds", FLOAT64, false),
        field("max_abs_error", FLOAT64, true), field("min_sqnr_db", FLOAT64, true), field("mean_sqnr_db", FLOAT64, true),
        field("message", UTF8, true)), Map.of("quarry.zoo_spec", spec));
  }

  public static void write(String root, String spec, List<ZooResult> results) throws IOException {
    Path path = new Path(root, FILE_NAME);
    FileSystem fs = FileSystems.forPath(path);
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot table = VectorSchemaRoot.create(schema(spec), allocator)) {
      table.allocateNew();
      for (int i = 0; i < results.size(); i++) {
        ZooResult r = results.get(i);
        setText(table, "model", i, r.model());
        setText(table, "mode", i, r.mode());
        setText(table, "status", i, r.status().name().toLowerCase(Locale.ROOT));
        ((BigIntVector) table.getVector("input_bytes")).setSafe(i, r.inputBytes());
        ((BigIntVector) table.getVector("output_bytes")).setSafe(i, r.outputBytes());
        setNumber(table, "compression_ratio", i, r.compressionRatio());
        setNumber(table, "seconds", i, r.seconds());
        setNumber(table, "max_abs_error", i, r.maxAbsError());
        setNumber(table, "min_sqnr_db", i, r.minSqnrDb());
        setNumber(table, "mean_sqnr_db", i, r.meanSqnrDb());
        setText(table, "message", i, r.message());
      }
      table.setRowCount(results.size());
      try (OutputStream out = NamedOutputStream.create(fs, path, true);
          ArrowFileWriter writer = new ArrowFileWriter(table, null, Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
    }
  }

  public static List<ZooResult> read(String root) throws IOException {
    Path path = new Path(root, FILE_NAME);
    FileSystem fs = FileSystems.forPath(path);
    byte[] bytes;
    try (InputStream in = fs.open(path)) {
      bytes = in.readAllBytes();
    }
    List<ZooResult> results = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        ArrowFileReader reader = new ArrowFileReader(new ByteArrayReadableSeekableByteChannel(bytes), allocator)) {
      VectorSchemaRoot t = reader.getVectorSchemaRoot();
      while (reader.loadNextBatch()) {
        for (int i = 0; i < t.getRowCount(); i++) {
          results.add(new ZooResult(text(t, "model", i), text(t, "mode", i), ZooStatus.valueOf(text(t, "status", i).toUpperCase(Locale.ROOT)),
              ((BigIntVector) t.getVector("input_bytes")).get(i), ((BigIntVector) t.getVector("output_bytes")).get(i),
              number(t, "seconds", i), number(t, "max_abs_error", i), number(t, "min_sqnr_db", i),
              number(t, "mean_sqnr_db", i), text(t, "message", i)));
        }
      }
    }
    return results;
  }
}
