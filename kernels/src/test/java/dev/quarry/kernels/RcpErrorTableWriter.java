package dev.quarry.kernels;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Makes the classpath resource of {@link RcpErrorTable} from the measured table
 * ({@code rcp-sm90-ulp-diff.bin.gz}: 2^23 signed bytes). Rerun from the project root after a
 * {@code mvn -pl kernels test-compile}:
 * <pre>
 * java -cp kernels/target/classes:kernels/target/test-classes dev.quarry.kernels.RcpErrorTableWriter \
 *     ../shared/reference/rcp-sm90-ulp-diff.bin.gz \
 *     kernels/src/main/resources/dev/quarry/kernels/rcp-sm90-ulp-error.2bit.gz
 * </pre>
 * {@code RcpErrorTableTest} checks the result against the measured table entry for entry.
 */
public final class RcpErrorTableWriter {
  private RcpErrorTableWriter() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: RcpErrorTableWriter <rcp-sm90-ulp-diff.bin.gz> <resource out>");
    }
    byte[] errors = readMeasuredTable(Path.of(args[0]));
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(Path.of(args[1])))) {
      out.write(pack(errors));
    }
  }

  /** The 2^23 signed ulp errors of the measured table. */
  static byte[] readMeasuredTable(Path gz) throws IOException {
    byte[] errors = new byte[RcpErrorTable.ENTRIES];
    try (InputStream raw = Files.newInputStream(gz);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
      in.readFully(errors);
      if (in.read() != -1) {
        throw new IOException(gz + " holds more than " + RcpErrorTable.ENTRIES + " entries");
      }
    }
    return errors;
  }

  private static byte[] pack(byte[] errors) {
    ByteArrayOutputStream packed = new ByteArrayOutputStream(errors.length / RcpErrorTable.ENTRIES_PER_BYTE);
    for (int m = 0; m < errors.length; m += RcpErrorTable.ENTRIES_PER_BYTE) {
      int b = 0;
      for (int k = 0; k < RcpErrorTable.ENTRIES_PER_BYTE; k++) {
        int error = errors[m + k];
        if (error < -1 || error > 1) {
          throw new IllegalArgumentException("entry " + (m + k) + " is " + error + ", not -1, 0 or +1");
        }
        b |= (error + 1) << (2 * k);
      }
      packed.write(b);
    }
    return packed.toByteArray();
  }
}
