package dev.quarry.manifest;

import java.io.Serializable;

/** The CRC32C (as an unsigned value) of one tensor's bytes in the file named {@code file}. */
public record TensorChecksum(String file, String tensor, long crc32c) implements Serializable {
  private static final long serialVersionUID = 1L;
}
