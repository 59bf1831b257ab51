package dev.quarry.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.testing.ReferenceData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PythonJsonTest {

  /** Files transformers wrote with json.dumps(indent=2, sort_keys=True) + "\n": re-dumping what Jackson reads gives the same bytes. */
  @ParameterizedTest
  @ValueSource(strings = {"tiny-llama/input/config.json", "tiny-llama/input/generation_config.json",
      "tiny-llama/input/model.safetensors.index.json", "tiny-llama/hf-nf4-dq/config.json",
      "tiny-llama/hf-int8/config.json"})
  void reproducesTransformersJsonFiles(String file) throws IOException {
    Path path = ReferenceData.file(file);
    String expected = Files.readString(path, StandardCharsets.UTF_8);
    Map<String, Object> tree = new ObjectMapper().readValue(path.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
    assertEquals(expected, PythonJson.dumpsIndented(tree, true) + "\n");
  }

  /** Expected strings printed by python3: json.dumps(...) with the same values. */
  @Test
  void escapesAndEmptyContainersLikePython() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("d", "\u00e9\u2028\u0001\"");
    m.put("c", List.of());
    m.put("b", Map.of());
    m.put("a", List.of(1, 2));
    assertEquals("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": [],\n  \"d\": \"\\u00e9\\u2028\\u0001\\\"\"\n}",
        PythonJson.dumpsIndented(m, true));
    assertEquals("{\"d\": \"\\u00e9\\u2028\\u0001\\\"\", \"c\": [], \"b\": {}, \"a\": [1, 2]}", PythonJson.dumps(m));
  }
}
