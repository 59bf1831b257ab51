package dev.quarry.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates the JSON header of a safetensors file. Every problem becomes a
 * {@link CheckpointFormatException} naming the file and, where there is one, the tensor.
 */
final class SafetensorsHeaderParser {
  static final String METADATA_KEY = "__metadata__";

  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build());

  private final String file;

  SafetensorsHeaderParser(String file) {
    this.file = file;
  }

  /**
   * @param headerBytes the header, exactly as long as the 8-byte length prefix says
   * @param dataLength  bytes in the file after the header
   */
  SafetensorsHeader parse(byte[] headerBytes, long dataLength) throws CheckpointFormatException {
    String text = decodeUtf8(headerBytes);
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorEntry> tensors = new ArrayList<>();
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw fail(null, "header is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        JsonNode value = p.readValueAsTree();
        if (METADATA_KEY.equals(name)) {
          readMetadata(value, metadata);
        } else {
          tensors.add(readEntry(name, value));
        }
      }
      if (p.nextToken() != null) {
        throw fail(null, "header is not valid JSON: content after the top-level object");
      }
    } catch (CheckpointFormatException e) {
      throw e;
    } catch (JsonProcessingException e) {
      throw fail(duplicateTopLevelName(e), "header is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw fail(null, "header could not be parsed: " + e.getMessage(), e);
    }
    checkOffsets(tensors, dataLength);
    return new SafetensorsHeader(tensors, metadata, 8L + headerBytes.length);
  }

  /**
   * The tensor name when Jackson's duplicate detection fired on the top-level object (a duplicate
   * tensor name), else null. Jackson records the name in the context before it checks it.
   */
  private static String duplicateTopLevelName(JsonProcessingException e) {
    if (e.getProcessor() instanceof JsonParser p && e.getOriginalMessage().startsWith("Duplicate")) {
      JsonStreamContext context = p.getParsingContext();
      if (context != null && context.inObject() && context.getParent() != null && context.getParent().inRoot()) {
        return context.getCurrentName();
      }
    }
    return null;
  }

  private String decodeUtf8(byte[] bytes) throws CheckpointFormatException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw fail(null, "header is not valid UTF-8", e);
    }
  }

  private void readMetadata(JsonNode value, Map<String, String> out) throws CheckpointFormatException {
    if (!value.isObject()) {
      throw fail(null, METADATA_KEY + " is not a JSON object");
    }
    for (Map.Entry<String, JsonNode> e : value.properties()) {
      if (!e.getValue().isTextual()) {
        throw fail(null, METADATA_KEY + " value of '" + e.getKey() + "' is not a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
  }

  private TensorEntry readEntry(String name, JsonNode value) throws CheckpointFormatException {
    if (!value.isObject()) {
      throw fail(name, "entry is not a JSON object");
    }
    JsonNode dtypeNode = required(name, value, "dtype");
    JsonNode shapeNode = required(name, value, "shape");
    JsonNode offsetsNode = required(name, value, "data_offsets");
    if (!dtypeNode.isTextual()) {
      throw fail(name, "dtype is not a string");
    }
    Dtype dtype = Dtype.parse(dtypeNode.textValue());
    if (dtype == null) {
      throw fail(name, "unknown dtype '" + dtypeNode.textValue() + "'");
    }
    List<Long> shape = nonNegativeIntegers(name, shapeNode, "shape");
    List<Long> offsets = nonNegativeIntegers(name, offsetsNode, "data_offsets");
    if (offsets.size() != 2 || offsets.get(0) > offsets.get(1)) {
      throw fail(name, "data_offsets must be [begin, end] with begin <= end, got " + offsetsNode);
    }
    long begin = offsets.get(0);
    long end = offsets.get(1);
    long expected;
    try {
      expected = Math.multiplyExact(TensorEntry.elementCount(shape), (long) dtype.byteSize());
    } catch (ArithmeticException e) {
      throw fail(name, "shape " + shape + " is too large");
    }
    if (expected != end - begin) {
      throw fail(name, "shape " + shape + " of " + dtype + " needs " + expected
          + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
    }
    return new TensorEntry(name, dtype, shape, begin, end);
  }

  private JsonNode required(String name, JsonNode entry, String field) throws CheckpointFormatException {
    JsonNode node = entry.get(field);
    if (node == null) {
      throw fail(name, "entry has no " + field);
    }
    return node;
  }

  private List<Long> nonNegativeIntegers(String name, JsonNode node, String field) throws CheckpointFormatException {
    if (!node.isArray()) {
      throw fail(name, field + " is not an array");
    }
    List<Long> values = new ArrayList<>();
    for (JsonNode v : node) {
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw fail(name, field + " must hold non-negative integers, got " + node);
      }
      values.add(v.longValue());
    }
    return values;
  }

  /** The data section must be exactly tiled by the tensors: no gap, no overlap, nothing beyond it. */
  private void checkOffsets(List<TensorEntry> tensors, long dataLength) throws CheckpointFormatException {
    tensors.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
    long expectedBegin = 0;
    String previous = null;
    for (TensorEntry t : tensors) {
      if (t.begin() < expectedBegin) {
        throw fail(t.name(), "data_offsets [" + t.begin() + ", " + t.end() + "] overlap tensor '" + previous + "'");
      }
      if (t.begin() > expectedBegin) {
        throw fail(t.name(), "gap of " + (t.begin() - expectedBegin) + " bytes before data_offsets ["
            + t.begin() + ", " + t.end() + "]");
      }
      if (t.end() > dataLength) {
        throw fail(t.name(), "data_offsets [" + t.begin() + ", " + t.end() + "] go beyond the "
            + dataLength + " data bytes of the file (truncated file?)");
      }
      expectedBegin = t.end();
      previous = t.name();
    }
    if (expectedBegin != dataLength) {
      throw fail(null, (dataLength - expectedBegin) + " bytes after the last tensor's data");
    }
  }

  private CheckpointFormatException fail(String tensor, String problem) {
    return new CheckpointFormatException(file, tensor, problem);
  }

  private CheckpointFormatException fail(String tensor, String problem, Throwable cause) {
    return new CheckpointFormatException(file, tensor, problem, cause);
  }
}
