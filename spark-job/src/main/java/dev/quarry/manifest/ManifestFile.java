package dev.quarry.manifest;

import dev.quarry.fs.NamedOutputStream;
import dev.quarry.safetensors.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import static dev.quarry.manifest.ArrowColumns.FLOAT64;
import static dev.quarry.manifest.ArrowColumns.INT32;
import static dev.quarry.manifest.ArrowColumns.INT64;
import static dev.quarry.manifest.ArrowColumns.UINT32;
import static dev.quarry.manifest.ArrowColumns.UTF8;
import static dev.quarry.manifest.ArrowColumns.field;
import static dev.quarry.manifest.ArrowColumns.setNumber;
import static dev.quarry.manifest.ArrowColumns.setText;
import static dev.quarry.manifest.ArrowColumns.text;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes and reads {@code quarry-manifest.arrow}: an Arrow IPC file (readable by pyarrow's
 * {@code pa.ipc.open_file} or any Arrow reader) with one record batch, one row per output tensor,
 * and the record of the conversion as schema metadata: {@code quarry.conversion}, the JSON text of its
 * {@link ConversionIdentity}, the same bytes as the output's {@code _SUCCESS}.
 */
public final class ManifestFile {
  static final String CONVERSION_KEY = "quarry.conversion";
  /** What manifests of quarry before {@link #CONVERSION_KEY} held: named when such a manifest is refused. */
  private static final String OLD_VERSION_KEY = "quarry.version";

  private ManifestFile() {}

  static Schema schema(Map<String, String> metadata) {
    return new Schema(List.of(
        field("name", UTF8, false), field("file", UTF8, false), field("source", UTF8, false),
        field("action", UTF8, false), field("mode", UTF8, true), field("blocksize", INT32, true),
        field("dtype", UTF8, false),
        new Field("shape", FieldType.notNullable(ArrowType.List.INSTANCE), List.of(field("item", INT64, false))),
        field("byte_size", INT64, false), field("crc32c", UINT32, false),
        field("max_abs_error", FLOAT64, true), field("rmse", FLOAT64, true), field("sqnr_db", FLOAT64, true)),
        metadata);
  }

  public static void write(FileSystem fs, Path path, Manifest m) throws IOException {
    Map<String, String> metadata = Map.of(CONVERSION_KEY, m.conversion().json());
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema(metadata), allocator)) {
      fill(root, m.rows());
      try (OutputStream out = NamedOutputStream.create(fs, path, true);
          ArrowFileWriter writer = new ArrowFileWriter(root, null, Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
    }
  }

  private static void fill(VectorSchemaRoot root, List<ManifestRow> rows) {
    root.allocateNew();
    UnionListWriter shape = ((ListVector) root.getVector("shape")).getWriter();
    for (int i = 0; i < rows.size(); i++) {
      ManifestRow r = rows.get(i);
      setText(root, "name", i, r.name());
      setText(root, "file", i, r.file());
      setText(root, "source", i, r.source());
      setText(root, "action", i, r.action());
      setText(root, "mode", i, r.mode());
      IntVector blocksize = (IntVector) root.getVector("blocksize");
      if (r.blocksize() == null) {
        blocksize.setNull(i);
      } else {
        blocksize.setSafe(i, r.blocksize());
      }
      setText(root, "dtype", i, r.dtype());
      shape.setPosition(i);
      shape.startList();
      for (long d : r.shape()) {
        shape.bigInt().writeBigInt(d);
      }
      shape.endList();
      ((BigIntVector) root.getVector("byte_size")).setSafe(i, r.byteSize());
      ((UInt4Vector) root.getVector("crc32c")).setSafe(i, (int) r.crc32c());
      TensorError e = r.error();
      setNumber(root, "max_abs_error", i, e == null ? null : e.maxAbsError());
      setNumber(root, "rmse", i, e == null ? null : e.rmse());
      setNumber(root, "sqnr_db", i, e == null ? null : e.sqnrDb());
    }
    root.setRowCount(rows.size());
  }

  /** Reads a manifest; a file that is not one is a {@link CheckpointException} naming it. */
  public static Manifest read(FileSystem fs, Path path) throws IOException {
    byte[] bytes;
    try (InputStream in = fs.open(path)) {
      bytes = in.readAllBytes();
    }
    try (BufferAllocator allocator = new RootAllocator();
        ArrowFileReader reader = new ArrowFileReader(new ByteArrayReadableSeekableByteChannel(bytes), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      Map<String, String> metadata = root.getSchema().getCustomMetadata();
      List<ManifestRow> rows = new ArrayList<>();
      while (reader.loadNextBatch()) {
        for (int i = 0; i < root.getRowCount(); i++) {
          rows.add(row(root, i));
        }
      }
      ConversionIdentity conversion = ConversionIdentity.parse(metadata.get(CONVERSION_KEY));
      if (conversion == null) {
        String version = metadata.get(OLD_VERSION_KEY);
        throw new CheckpointException(path.toString(), null, "written by an earlier quarry"
            + (version == null ? "" : " (" + version + ")") + ", which recorded its conversion in another form; "
            + "convert the model again with this one");
      }
      return new Manifest(conversion, rows);
    } catch (RuntimeException e) {
      throw new CheckpointException(path.toString(), null, "not a quarry manifest: " + e.getMessage(), e);
    }
  }

  /** Bytes of the shard files of the output in {@code dir} that {@code m} describes, as the file system has them. */
  public static long outputBytes(FileSystem fs, Path dir, Manifest m) throws IOException {
    long total = 0;
    for (String file : m.files()) {
      total += fs.getFileStatus(new Path(dir, file)).getLen();
    }
    return total;
  }

  private static ManifestRow row(VectorSchemaRoot root, int i) {
    List<Long> shape = new ArrayList<>();
    for (Object d : ((ListVector) root.getVector("shape")).getObject(i)) {
      shape.add((Long) d);
    }
    Float8Vector maxAbs = (Float8Vector) root.getVector("max_abs_error");
    TensorError error = maxAbs.isNull(i) ? null : new TensorError(maxAbs.get(i),
        ((Float8Vector) root.getVector("rmse")).get(i), ((Float8Vector) root.getVector("sqnr_db")).get(i));
    IntVector blocksize = (IntVector) root.getVector("blocksize");
    return new ManifestRow(text(root, "name", i), text(root, "file", i), text(root, "source", i),
        text(root, "action", i), text(root, "mode", i), blocksize.isNull(i) ? null : blocksize.get(i),
        text(root, "dtype", i), shape, ((BigIntVector) root.getVector("byte_size")).get(i),
        ((UInt4Vector) root.getVector("crc32c")).getValueAsLong(i), error);
  }
}
