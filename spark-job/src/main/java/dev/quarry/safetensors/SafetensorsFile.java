package dev.quarry.safetensors;

import java.io.Closeable;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An open safetensors file on any Hadoop {@link FileSystem}: its validated header, and positioned,
 * bounded reads of tensor bytes. Only the header is read on open; tensor data is read on demand
 * into caller-owned buffers, never a whole tensor at once.
 */
public final class SafetensorsFile implements Closeable {
  /** The Rust crate's limit: a larger header is refused before it is read. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private final String name;
  private final FSDataInputStream in;
  private final SafetensorsHeader header;

  private SafetensorsFile(String name, FSDataInputStream in, SafetensorsHeader header) {
    this.name = name;
    this.in = in;
    this.header = header;
  }

  /** Opens and validates {@code path}; throws {@link CheckpointFormatException} for a bad file. */
  public static SafetensorsFile open(FileSystem fs, Path path) throws IOException {
    String name = path.toString();
    long fileLength;
    try {
      fileLength = fs.getFileStatus(path).getLen();
    } catch (FileNotFoundException e) {
      throw new CheckpointException(name, null, "no such file", e);
    }
    FSDataInputStream in = fs.open(path);
    try {
      SafetensorsHeader header = readHeader(name, in, fileLength);
      return new SafetensorsFile(name, in, header);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** Reads and validates the header of a file of {@code fileLength} bytes open as {@code in}. */
  static SafetensorsHeader readHeader(String name, FSDataInputStream in, long fileLength)
      throws IOException {
    if (fileLength < 8) {
      throw new CheckpointFormatException(name, null,
          "not a safetensors file: " + fileLength + " bytes, shorter than the 8-byte header length");
    }
    byte[] prefix = new byte[8];
    in.readFully(0, prefix);
    long headerLength = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
      throw new CheckpointFormatException(name, null, "not a safetensors file: header length "
          + Long.toUnsignedString(headerLength) + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    if (8 + headerLength > fileLength) {
      throw new CheckpointFormatException(name, null, "not a safetensors file: header length "
          + headerLength + " exceeds the file size " + fileLength);
    }
    byte[] json = new byte[(int) headerLength];
    in.readFully(8, json);
    return new SafetensorsHeaderParser(name).parse(json, fileLength - 8 - headerLength);
  }

  /** The file's path as given, for messages. */
  public String name() {
    return name;
  }

  public SafetensorsHeader header() {
    return header;
  }

  /**
   * Fills {@code dst} (heap buffer, from its position to its limit) with the tensor's bytes starting
   * at {@code offsetInTensor}, and advances its position. Reading past the tensor's end is an error.
   */
  public void read(TensorEntry tensor, long offsetInTensor, ByteBuffer dst) throws IOException {
    int length = dst.remaining();
    if (offsetInTensor < 0 || offsetInTensor + length > tensor.byteSize()) {
      throw new IllegalArgumentException("read of " + length + " bytes at " + offsetInTensor
          + " outside tensor '" + tensor.name() + "' of " + tensor.byteSize() + " bytes");
    }
    try {
      in.readFully(header.dataStart() + tensor.begin() + offsetInTensor, dst.array(),
          dst.arrayOffset() + dst.position(), length);
    } catch (EOFException e) {
      throw new CheckpointFormatException(name, tensor.name(), "file truncated while reading the tensor", e);
    }
    dst.position(dst.position() + length);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
