package dev.quarry.dequantize;

import dev.quarry.convert.store.ShardDestination;
import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.kernels.Dequantizer;
import dev.quarry.kernels.Float16;
import dev.quarry.kernels.FourBitFormat;
import dev.quarry.kernels.NestedAbsmaxQuantizer;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.SafetensorsLayout;
import dev.quarry.safetensors.SafetensorsWriter;
import dev.quarry.safetensors.TensorEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

/**
 * Writes one shard of a dequantized checkpoint on an executor, streaming: each weight is read and
 * dequantized a bounded chunk at a time (whole nested blocks of absmax under double quantization,
 * whole rows for int8) with the kernels' {@link Dequantizer}, then rounded to the output dtype as the
 * GPU kernels store it (round to nearest even). Writes where its {@link ShardDestination} says.
 */
final class DequantShardWriter {
  /** Elements per chunk, about: 4 MiB of float32 values. */
  private static final int CHUNK_ELEMENTS = 1 << 20;

  private final Map<String, FSDataInputStream> open = new HashMap<>();

  private DequantShardWriter() {}

  /** Returns the written file (URI string). */
  static String write(DequantShardTask task, ShardDestination destination, long attemptId) throws IOException {
    SafetensorsLayout layout = SafetensorsLayout.of(task.tensors().stream().map(DequantTensor::spec).toList(),
        SafetensorsLayout.PYTORCH_METADATA);
    Map<String, DequantTensor> byName = new HashMap<>();
    task.tensors().forEach(t -> byName.put(t.name(), t));
    Path path = destination.path(task.fileName(), attemptId);
    DequantShardWriter writer = new DequantShardWriter();
    try (SafetensorsWriter out = new SafetensorsWriter(NamedOutputStream.create(FileSystems.forPath(path), path, true), layout)) {
      for (TensorEntry e : layout.tensors()) {
        out.beginTensor(e.name());
        writer.tensor(byName.get(e.name()), out);
      }
      out.finish();
    } finally {
      for (FSDataInputStream in : writer.open.values()) {
        in.close();
      }
    }
    return path.toString();
  }

  private void tensor(DequantTensor t, SafetensorsWriter out) throws IOException {
    switch (t.kind()) {
      case COPY -> {
        for (long done = 0; done < t.data().length(); done += CHUNK_ELEMENTS) {
          int n = (int) Math.min(CHUNK_ELEMENTS, t.data().length() - done);
          out.write(read(t.data(), done, n));
        }
      }
      case FOUR_BIT -> fourBit(t, out);
      case INT8 -> int8(t, out);
    }
  }

  private void fourBit(DequantTensor t, SafetensorsWriter out) throws IOException {
    FourBitFormat format = QuantMode.fromCliName(t.quantType()).fourBitFormat();
    int unit = t.blocksize() * NestedAbsmaxQuantizer.NESTED_BLOCKSIZE;
    int chunk = unit * Math.max(1, CHUNK_ELEMENTS / unit);
    float[] nested = t.doubleQuant() ? floats(read(t.nestedScales(), 0, (int) t.nestedScales().length())) : null;
    long n = t.elementCount();
    float[] values = new float[(int) Math.min(chunk, n)];
    for (long first = 0; first < n; first += chunk) {
      int length = (int) Math.min(chunk, n - first);
      int firstBlock = (int) (first / t.blocksize());
      int blocks = (length + t.blocksize() - 1) / t.blocksize();
      byte[] packed = read(t.data(), first / 2, (length + 1) / 2);
      float[] absmax;
      if (t.doubleQuant()) {
        absmax = new float[blocks];
        Dequantizer.nestedAbsmax(read(t.scales(), firstBlock, blocks), 0, blocks, nested,
            firstBlock / NestedAbsmaxQuantizer.NESTED_BLOCKSIZE, t.offset(), absmax, 0);
      } else {
        absmax = floats(read(t.scales(), firstBlock * 4L, blocks * 4));
      }
      Dequantizer.fourBit(format, t.blocksize(), packed, 0, absmax, 0, length, values, 0);
      out.write(encode(values, length, t.dtype()));
    }
  }

  private void int8(DequantTensor t, SafetensorsWriter out) throws IOException {
    int cols = Math.toIntExact(t.cols());
    int rowsPerChunk = Math.max(1, CHUNK_ELEMENTS / cols);
    long rows = t.elementCount() / cols;
    float[] values = new float[(int) Math.min(rowsPerChunk, rows) * cols];
    for (long row = 0; row < rows; row += rowsPerChunk) {
      int k = (int) Math.min(rowsPerChunk, rows - row);
      byte[] q = read(t.data(), row * cols, k * cols);
      float[] scb = floats(read(t.scales(), row * 4, k * 4));
      Dequantizer.int8Rows(q, 0, k, cols, scb, 0, values, 0);
      out.write(encode(values, k * cols, t.dtype()));
    }
  }

  /** Float32 values in the output dtype, little-endian, rounded to nearest even. */
  private static ByteBuffer encode(float[] values, int n, Dtype dtype) {
    ByteBuffer b = ByteBuffer.allocate(n * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (dtype) {
        case BF16 -> b.putShort(Float16.bfloat16FromFloat(values[i]));
        case F16 -> b.putShort(Float16.fromFloat(values[i]));
        case F32 -> b.putFloat(values[i]);
        default -> throw new IllegalArgumentException("cannot dequantize to " + dtype);
      }
    }
    return b.flip();
  }

  private static float[] floats(byte[] bytes) {
    float[] out = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  private byte[] read(FileRange range, long offset, int length) throws IOException {
    if (offset + length > range.length()) {
      throw new IOException(range.file() + ": tensor bytes end at " + range.length() + ", reading " + length + " at " + offset);
    }
    FSDataInputStream in = open.computeIfAbsent(range.file(), FileSystems::openUnchecked);
    byte[] b = new byte[length];
    in.readFully(range.offset() + offset, b);
    return b;
  }
}
