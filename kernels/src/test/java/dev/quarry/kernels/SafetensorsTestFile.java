package dev.quarry.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal read-only safetensors reader for the reference data: 8-byte little-endian header
 * length, the JSON header, then the tensor bytes. Test scope only; spark-job has the real reader.
 */
final class SafetensorsTestFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One tensor's header entry. */
  record Tensor(String name, String dtype, long[] shape, ByteBuffer data) {
    long elementCount() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }

    /** A fresh little-endian view of the tensor bytes, position 0. */
    ByteBuffer bytes() {
      return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  private final Map<String, Tensor> tensors = new LinkedHashMap<>();

  SafetensorsTestFile(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
      int headerLength = Math.toIntExact(file.getLong(0));
      byte[] header = new byte[headerLength];
      file.get(Long.BYTES, header);
      int dataStart = Long.BYTES + headerLength;
      JsonNode root = JSON.readTree(new String(header, StandardCharsets.UTF_8));
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getKey().equals("__metadata__")) {
          continue;  // the quant_state texts there are spark-job's to check
        }
        JsonNode entry = field.getValue();
        long[] shape = new long[entry.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = entry.get("shape").get(i).asLong();
        }
        int begin = dataStart + entry.get("data_offsets").get(0).asInt();
        int end = dataStart + entry.get("data_offsets").get(1).asInt();
        tensors.put(field.getKey(), new Tensor(field.getKey(), entry.get("dtype").asText(), shape, file.slice(begin, end - begin)));
      }
    }
  }

  Map<String, Tensor> tensors() {
    return tensors;
  }
}
