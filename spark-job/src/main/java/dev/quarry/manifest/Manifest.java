package dev.quarry.manifest;

import java.util.List;

/**
 * {@code quarry-manifest.arrow} in memory: one row per output tensor, and what its schema metadata
 * records — the conversion that made the output ({@link ConversionIdentity}, the same text as its
 * {@code _SUCCESS}).
 */
public record Manifest(ConversionIdentity conversion, List<ManifestRow> rows) {
  public static final String FILE_NAME = "quarry-manifest.arrow";

  public Manifest {
    rows = List.copyOf(rows);
  }

  /** The options of the conversion that made the output. */
  public ConversionSettings settings() {
    return conversion.settings();
  }

  /** The output's shard files, in the order their tensors appear. */
  public List<String> files() {
    return rows.stream().map(ManifestRow::file).distinct().toList();
  }
}
