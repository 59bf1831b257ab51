package dev.quarry.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.quarry.QuarryRelease;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.InputShard;
import dev.quarry.convert.read.ModelReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * What a conversion is, as one JSON text: the quarry version that made it, the input as given
 * (qualified), every option that changes an output byte ({@link ConversionSettings}), and every input
 * file — the shards with the SHA-256 of their headers (names, dtypes, shapes, offsets), then
 * config.json, the index and the files copied unchanged — each with its length and modification
 * time (config.json and the index with the SHA-256 of their content). Read without tensor data.
 *
 * <p>A completed output holds this text twice, the same bytes: in {@code _SUCCESS} and in the
 * manifest's schema metadata. A rerun over its own completed output (the same text) has nothing to
 * do; zoo skips an output whose record equals the one its spec now gives; {@code verify --input}
 * converts again with the recorded settings; the report reads the settings and input size. The same
 * record at commit as at the start also tells that no input file changed under the conversion.
 */
public record ConversionIdentity(String quarry, String input, ConversionSettings settings, List<InputFile> shards,
    List<InputFile> otherFiles) {
  /** snake_case keys, as Python readers of the manifest's metadata expect them. */
  private static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  /**
   * One input file, named relative to the model's directory.
   *
   * @param sha256 a shard's header's, config.json's and the index's content's; null for a file copied unchanged
   */
  public record InputFile(String name, long length, long modified, String sha256) {}

  public ConversionIdentity {
    shards = List.copyOf(shards);
    otherFiles = List.copyOf(otherFiles);
  }

  public static ConversionIdentity of(FileSystem fs, Path input, InputModel model, ConvertOptions o) throws IOException {
    List<InputFile> shards = new ArrayList<>();
    for (InputShard s : model.shards()) {
      Path path = new Path(s.path());
      byte[] header = new byte[Math.toIntExact(s.dataStart())];
      try (FSDataInputStream in = fs.open(path)) {
        in.readFully(0, header);
      }
      shards.add(file(fs, path, sha256(header)));
    }
    List<InputFile> others = new ArrayList<>();
    Path dir = fs.getFileStatus(input).isDirectory() ? input : input.getParent();
    for (String name : List.of(ModelReader.CONFIG, ModelReader.INDEX, ModelReader.TORCH_INDEX)) {
      Path path = new Path(dir, name);
      if (fs.exists(path)) {
        try (InputStream in = fs.open(path)) {
          others.add(file(fs, path, sha256(in.readAllBytes())));
        }
      }
    }
    for (Path p : model.otherFiles()) {
      others.add(file(fs, p, null));
    }
    return new ConversionIdentity(QuarryRelease.version(), fs.makeQualified(input).toString(), ConversionSettings.of(o),
        shards, others);
  }

  private static InputFile file(FileSystem fs, Path path, String sha256) throws IOException {
    FileStatus st = fs.getFileStatus(path);
    return new InputFile(path.getName(), st.getLen(), st.getModificationTime(), sha256);
  }

  /** The text {@code _SUCCESS} and the manifest hold. */
  public String json() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The record of a text, or null when the text is none (an output of an earlier quarry recorded it otherwise). */
  public static ConversionIdentity parse(String json) {
    try {
      ConversionIdentity id = json == null ? null : JSON.readValue(json, ConversionIdentity.class);
      return id != null && id.quarry() != null && id.settings() != null && id.shards() != null ? id : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * "input X, mode Y" of a recorded text, with "made by quarry V" when another version made it, or a
   * phrase saying it is not one of this form.
   */
  public static String describe(String json) {
    ConversionIdentity id = parse(json);
    if (id == null) {
      return "recorded by an earlier quarry";
    }
    String made = "input " + id.input() + ", mode " + id.settings().mode();
    return id.quarry().equals(QuarryRelease.version()) ? made : made + ", made by quarry " + id.quarry();
  }

  /**
   * Whether {@code other} is the same model as far as the headers tell: the same file names, lengths
   * and hashes, whatever the modification times (a copy of the model has new ones), the path or the
   * quarry version.
   */
  public boolean sameInputAs(ConversionIdentity other) {
    return content(shards).equals(content(other.shards)) && content(otherFiles).equals(content(other.otherFiles));
  }

  private static List<InputFile> content(List<InputFile> files) {
    return files.stream().map(f -> new InputFile(f.name(), f.length(), 0, f.sha256())).toList();
  }

  /** Bytes of the input's shard files. */
  public long shardBytes() {
    return shards.stream().mapToLong(InputFile::length).sum();
  }

  /** Whether the input had a config.json (a lone .safetensors file may have none; its output then gets none). */
  public boolean hasConfig() {
    return otherFiles.stream().anyMatch(f -> f.name().equals(ModelReader.CONFIG));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
