package dev.quarry.convert.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.quality.ErrorStats;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The completion record of one output shard, written under {@code _staging} once the shard is
 * complete at its final name and on the disk: which conversion wrote it ({@link dev.quarry.manifest.ConversionIdentity}),
 * its length, and what the manifest needs of every computed or copied piece in it — position, length,
 * CRC32C and, for a block's codes, the exact error figures. A rerun of the same conversion keeps the
 * shard when the file still has exactly these bytes ({@link dev.quarry.convert.commit.KeptShards}), and takes the manifest's
 * figures for its tensors from here instead of computing them again.
 */
public record ShardRecord(String identity, String shard, long length, List<Entry> pieces) {
  /** Where the records live: {@code _staging/<shard>.complete}. */
  static final String SUFFIX = ".complete";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One piece of the shard as it was written; {@code errors} null but for a block's codes. */
  public record Entry(long position, long length, long crc32c, ErrorStats errors) {}

  public ShardRecord {
    pieces = List.copyOf(pieces);
  }

  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("identity", identity);
    root.put("shard", shard);
    root.put("length", length);
    ArrayNode list = root.putArray("pieces");
    for (Entry e : pieces) {
      ObjectNode p = list.addObject();
      p.put("position", e.position()).put("length", e.length()).put("crc32c", e.crc32c());
      if (e.errors() != null) {
        // exact: the bits of the double and the decimal digits of the exact sums
        p.putObject("errors").put("count", e.errors().count())
            .put("max_abs_error_bits", Double.doubleToRawLongBits(e.errors().maxAbsError()))
            .put("squared_errors", e.errors().squaredErrors().toString())
            .put("squared_values", e.errors().squaredValues().toString());
      }
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The record in {@code bytes}, or null when they are no complete record (e.g. cut short by a kill). */
  public static ShardRecord parse(byte[] bytes) {
    try {
      JsonNode root = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
      List<Entry> pieces = new ArrayList<>();
      for (JsonNode p : required(root, "pieces")) {
        JsonNode e = p.get("errors");
        ErrorStats errors = e == null ? null : new ErrorStats(required(e, "count").longValue(),
            Double.longBitsToDouble(required(e, "max_abs_error_bits").longValue()),
            new BigInteger(required(e, "squared_errors").textValue()), new BigInteger(required(e, "squared_values").textValue()));
        pieces.add(new Entry(required(p, "position").longValue(), required(p, "length").longValue(),
            required(p, "crc32c").longValue(), errors));
      }
      return new ShardRecord(required(root, "identity").textValue(), required(root, "shard").textValue(),
          required(root, "length").longValue(), pieces);
    } catch (IOException | RuntimeException e) {
      return null; // torn or not quarry's: the shard is simply converted again
    }
  }

  private static JsonNode required(JsonNode node, String key) {
    JsonNode v = node == null ? null : node.get(key);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("no " + key);
    }
    return v;
  }
}
