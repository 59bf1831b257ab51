package dev.quarry.manifest;

import java.util.List;

/**
 * {@code quarry-manifest.arrow} in memory: one row per output tensor, and what its schema metadata
 * records — the quarry version that wrote it, the input (as given), the input's fingerprint and the
 * settings of the conversion.
 */
public record Manifest(String quarryVersion, String input, InputFingerprint fingerprint, ConversionSettings settings,
    List<ManifestRow> rows) {
  public static final String FILE_NAME = "quarry-manifest.arrow";

  public Manifest {
    rows = List.copyOf(rows);
  }

  /** The output's shard files, in the order their tensors appear. */
  public List<String> files() {
    return rows.stream().map(ManifestRow::file).distinct().toList();
  }
}
