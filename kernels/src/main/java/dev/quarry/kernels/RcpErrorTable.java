package dev.quarry.kernels;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;

/**
 * The measured error of the GPU's {@code MUFU.RCP} (sm_90) in ulps, per 23-bit float32 mantissa:
 * −1, 0 or +1 ({@code bnb-exact.md} §1).
 *
 * <p>Stored as the classpath resource {@value #RESOURCE}: 2 bits per mantissa (the error plus
 * one, four entries per byte, entry {@code m} in bits {@code 2*(m&3)} of byte {@code m>>2}),
 * gzip-compressed. That is about 155 KB in the jar instead of the 8 MiB one-byte-per-entry table, and
 * the inflated bytes are already the lookup form: 2 MiB, so it stays cache-friendly and needs no
 * second decoding pass. The resource is made by the test-scope program
 * {@code dev.quarry.kernels.RcpErrorTableWriter} (see its comment to rerun it).
 */
final class RcpErrorTable {
  static final String RESOURCE = "rcp-sm90-ulp-error.2bit.gz";
  static final int ENTRIES = 1 << 23;
  static final int ENTRIES_PER_BYTE = 4;

  private RcpErrorTable() {
  }

  /** The error in ulps of the GPU reciprocal of any normal float whose mantissa bits are {@code mantissa}. */
  static int ulpError(int mantissa) {
    return ((Holder.PACKED[mantissa >>> 2] >>> ((mantissa & 3) << 1)) & 3) - 1;
  }

  /** Loaded on first use only: quantization without any reciprocal never pays for it. */
  private static final class Holder {
    static final byte[] PACKED = load();
  }

  private static byte[] load() {
    byte[] packed = new byte[ENTRIES / ENTRIES_PER_BYTE];
    try (InputStream raw = RcpErrorTable.class.getResourceAsStream(RESOURCE)) {
      if (raw == null) {
        throw new IllegalStateException("classpath resource " + RESOURCE + " is missing from quarry-kernels");
      }
      try (DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
        in.readFully(packed);
        if (in.read() != -1) {
          throw new IllegalStateException("classpath resource " + RESOURCE + " is longer than " + packed.length + " bytes");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read classpath resource " + RESOURCE, e);
    }
    return packed;
  }
}
