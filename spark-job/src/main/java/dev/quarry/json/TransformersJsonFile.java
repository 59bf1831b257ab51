package dev.quarry.json;

import dev.quarry.fs.NamedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** transformers writes config.json, generation_config.json and the index as {@code json.dumps(d, indent=2, sort_keys=True) + "\n"}. */
public final class TransformersJsonFile {
  private TransformersJsonFile() {}

  public static void write(FileSystem fs, Path path, Map<String, Object> content) throws IOException {
    try (OutputStream out = NamedOutputStream.create(fs, path, true)) {
      out.write((PythonJson.dumpsIndented(content, true) + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
