package dev.quarry.manifest;

import java.util.List;

/**
 * One output tensor in the manifest: where it is ({@code file}), what it was made from
 * ({@code source}, the input tensor) and how ({@code action}: quantize, cast or copy; {@code mode}
 * and {@code blocksize} where they apply, else null), its dtype, shape and byte size, the CRC32C of
 * its bytes, and for the quantized or cast weight itself its error (null for everything else).
 */
public record ManifestRow(String name, String file, String source, String action, String mode, Integer blocksize,
    String dtype, List<Long> shape, long byteSize, long crc32c, TensorError error) {
  public ManifestRow {
    shape = List.copyOf(shape);
  }
}
