package dev.quarry.convert.read;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.safetensors.CheckpointException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A JSON object file of the input model (config.json, the shard index). Anything else — not JSON,
 * not an object, a duplicate key, larger than {@link #MAX_BYTES} — is a {@link CheckpointException}
 * naming the file, before more than the limit is read.
 */
final class JsonObjectFile {
  /** The same bound as a safetensors header: real config and index files are far smaller. */
  static final long MAX_BYTES = 100_000_000L;

  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build());

  private JsonObjectFile() {}

  static Map<String, Object> read(FileSystem fs, Path path) throws IOException {
    try {
      long length = fs.getFileStatus(path).getLen();
      if (length > MAX_BYTES) {
        throw new CheckpointException(path.toString(), null, length + " bytes, more than the limit of " + MAX_BYTES);
      }
    } catch (FileNotFoundException e) {
      throw new CheckpointException(path.toString(), null, "no such file", e);
    }
    try (InputStream in = fs.open(path)) {
      return parse(path.toString(), in.readAllBytes());
    }
  }

  /** Parses {@code bytes} of {@code file} (for messages) as one JSON object. */
  static Map<String, Object> parse(String file, byte[] bytes) throws CheckpointException {
    Map<String, Object> value;
    try {
      value = JSON.readValue(bytes, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file, null, "not a JSON object: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new CheckpointException(file, null, "not a JSON object: " + e.getMessage(), e);
    }
    if (value == null) {
      throw new CheckpointException(file, null, "not a JSON object: null");
    }
    return value;
  }
}
