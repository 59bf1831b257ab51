package dev.quarry.testing;

import dev.quarry.fs.FileSystems;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Local files as Hadoop paths, and raw safetensors headers read without quarry's reader. */
public final class LocalFiles {
  private LocalFiles() {}

  public static Path hadoopPath(java.nio.file.Path p) {
    return new Path(p.toUri());
  }

  public static FileSystem fs() {
    try {
      return FileSystems.forPath(new Path("file:///"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The header JSON bytes (with padding) of a safetensors file, read directly. */
  public static byte[] rawHeader(java.nio.file.Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    byte[] header = new byte[(int) n];
    System.arraycopy(all, 8, header, 0, (int) n);
    return header;
  }

  /** A file of 8-byte LE length + {@code header} (UTF-8) + {@code dataBytes} zero bytes. */
  public static void writeRaw(java.nio.file.Path file, String header, int dataBytes) throws IOException {
    writeRaw(file, header.getBytes(StandardCharsets.UTF_8), dataBytes);
  }

  public static void writeRaw(java.nio.file.Path file, byte[] header, int dataBytes) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header);
    Files.write(file, b.array());
  }
}
