package dev.quarry.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where every tensor of a file to be written goes, laid out exactly as the Rust {@code safetensors}
 * crate ({@code serialize}) lays it out, which is what {@code save_pretrained} and
 * {@code safetensors.torch.save_file} produce: tensors sorted by dtype descending (in the crate's
 * {@link Dtype} order), then by name (byte order of the UTF-8 names); the header is compact JSON
 * with {@code __metadata__} first and is padded with spaces to a multiple of 8 bytes.
 */
public final class SafetensorsLayout {
  /** The metadata {@code save_pretrained} writes. */
  public static final Map<String, String> PYTORCH_METADATA = Map.of("format", "pt");

  private static final JsonFactory JSON = new JsonFactory();

  private static final Comparator<TensorSpec> CRATE_ORDER =
      Comparator.comparing(TensorSpec::dtype, Comparator.reverseOrder())
          .thenComparing((a, b) -> Arrays.compareUnsigned(utf8(a.name()), utf8(b.name())));

  private final List<TensorEntry> tensors;
  private final byte[] header;

  private SafetensorsLayout(List<TensorEntry> tensors, byte[] header) {
    this.tensors = List.copyOf(tensors);
    this.header = header;
  }

  /** Lays out {@code specs} (any order, unique names) under the given {@code __metadata__}. */
  public static SafetensorsLayout of(List<TensorSpec> specs, Map<String, String> metadata) {
    List<TensorSpec> sorted = new ArrayList<>(specs);
    sorted.sort(CRATE_ORDER);
    Set<String> names = new HashSet<>();
    List<TensorEntry> entries = new ArrayList<>();
    long offset = 0;
    for (TensorSpec s : sorted) {
      if (!names.add(s.name())) {
        throw new IllegalArgumentException("duplicate output tensor '" + s.name() + "'");
      }
      long end = Math.addExact(offset, s.byteSize());
      entries.add(new TensorEntry(s.name(), s.dtype(), s.shape(), offset, end));
      offset = end;
    }
    return new SafetensorsLayout(entries, headerJson(entries, metadata));
  }

  private static byte[] headerJson(List<TensorEntry> entries, Map<String, String> metadata) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      if (!metadata.isEmpty()) {
        g.writeObjectFieldStart(SafetensorsHeaderParser.METADATA_KEY);
        // serde serializes a HashMap: for the single {"format": "pt"} entry the order cannot matter;
        // for more entries quarry writes them sorted so that its output is deterministic.
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
          g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
      }
      for (TensorEntry t : entries) {
        g.writeObjectFieldStart(t.name());
        g.writeStringField("dtype", t.dtype().name());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(t.begin());
        g.writeNumber(t.end());
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int padding = (8 - out.size() % 8) % 8;
    for (int i = 0; i < padding; i++) {
      out.write(' ');
    }
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The tensors in file order, with their data offsets. */
  public List<TensorEntry> tensors() {
    return tensors;
  }

  /** The padded JSON header (without the 8-byte length prefix). */
  public byte[] headerBytes() {
    return header.clone();
  }

  /** The bytes the file starts with: the header's length (u64, little-endian), then the header. */
  public byte[] fileStart() {
    return ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header).array();
  }

  /** Where the data section starts in the file. */
  public long dataStart() {
    return 8L + header.length;
  }

  /** Bytes of the data section. */
  public long dataLength() {
    return tensors.isEmpty() ? 0 : tensors.get(tensors.size() - 1).end();
  }

  /** Bytes of the whole file. */
  public long fileLength() {
    return 8 + header.length + dataLength();
  }
}
