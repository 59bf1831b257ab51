package dev.quarry.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.convert.InputModel;
import dev.quarry.convert.InputShard;
import dev.quarry.fs.FileSystems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What identifies an input model without reading its tensor data: each shard's file name, size,
 * modification time and SHA-256 of its header (8-byte length + JSON: names, dtypes, shapes,
 * offsets), and the SHA-256 of its config.json content (null when there is none). A rewritten shard
 * changes its modification time even when its header stays the same; a copied one too, so a copy
 * counts as changed (conservative: it is converted again). {@code verify --input} compares bytes.
 */
public record InputFingerprint(List<Shard> shards, String configSha256) {
  public record Shard(String name, long size, long modified, String headerSha256) {}

  public InputFingerprint {
    shards = List.copyOf(shards);
  }

  public static InputFingerprint of(InputModel model) throws IOException {
    List<Shard> shards = new ArrayList<>();
    for (InputShard s : model.shards()) {
      Path path = new Path(s.path());
      FileSystem fs = FileSystems.forPath(path);
      byte[] header = new byte[Math.toIntExact(s.dataStart())];
      try (FSDataInputStream in = fs.open(path)) {
        in.readFully(0, header);
      }
      FileStatus status = fs.getFileStatus(path);
      shards.add(new Shard(path.getName(), status.getLen(), status.getModificationTime(), sha256(header)));
    }
    String config = model.config() == null ? null
        : sha256(new ObjectMapper().writeValueAsString(model.config()).getBytes(StandardCharsets.UTF_8));
    return new InputFingerprint(shards, config);
  }

  /** Bytes of every input shard file. */
  public long bytes() {
    return shards.stream().mapToLong(Shard::size).sum();
  }

  /**
   * Whether the two name the same content as far as headers tell: equal but for modification times
   * (a copy of the model has new ones).
   */
  public boolean sameHeadersAs(InputFingerprint other) {
    return withoutTimes().equals(other.withoutTimes());
  }

  private InputFingerprint withoutTimes() {
    return new InputFingerprint(shards.stream().map(s -> new Shard(s.name(), s.size(), 0, s.headerSha256())).toList(),
        configSha256);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
