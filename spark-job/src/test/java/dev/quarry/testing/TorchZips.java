package dev.quarry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Zip files laid out as torch.save writes them ({@code <folder>/data.pkl}, {@code <folder>/data/<key>},
 * extra records), records stored uncompressed unless named in {@code compressed}; and the records of
 * an existing one, to rewrite it another way.
 */
public final class TorchZips {
  private TorchZips() {}

  /** Records in order, by name relative to the folder; those in {@code compressed} are deflated. */
  public static byte[] zip(String folder, Map<String, byte[]> records, String... compressed) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> r : records.entrySet()) {
        ZipEntry e = new ZipEntry(folder + "/" + r.getKey());
        if (!List.of(compressed).contains(r.getKey())) {
          CRC32 crc = new CRC32();
          crc.update(r.getValue());
          e.setMethod(ZipEntry.STORED);
          e.setSize(r.getValue().length);
          e.setCompressedSize(r.getValue().length);
          e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(r.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static void write(Path file, String folder, Map<String, byte[]> records, String... compressed) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, zip(folder, records, compressed));
  }

  /** The records of a torch zip file, by name relative to its folder, in file order. */
  public static Map<String, byte[]> records(Path file) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (ZipEntry e : Collections.list(zip.entries())) {
        out.put(e.getName().substring(e.getName().indexOf('/') + 1), zip.getInputStream(e).readAllBytes());
      }
    }
    return out;
  }

  /** A one-tensor state dict {@code {name: float32 tensor of 4 x 64}} and its storage, ready for {@link #zip}. */
  public static Map<String, byte[]> oneTensor(String name) {
    Map<String, byte[]> records = new LinkedHashMap<>();
    records.put("data.pkl", PickleBytes.protocol2().op('}').mark().str(name)
        .tensor("FloatStorage", "0", 256, 0, new long[] {4, 64}, new long[] {64, 1}).op('u').stop().bytes());
    records.put("data/0", new byte[1024]);
    records.put("version", "3\n".getBytes(StandardCharsets.US_ASCII));
    return records;
  }
}
