package dev.quarry.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.safetensors.SafetensorsFile;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference vectors' {@code __metadata__} holds the packed quant_state JSON bitsandbytes wrote
 * for every case: rebuilding each from its fields must give the same string.
 */
class QuantStateJsonTest {

  @Test
  void matchesEveryQuantStateOfTheReferenceVectors() throws IOException {
    // huge_f32 has an infinite mean: Python writes it as Infinity
    ObjectMapper json = new ObjectMapper(JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build());
    int checked = 0;
    int withOffset = 0;
    for (int i = 1; i <= 3; i++) {
      String name = String.format("vectors/bnb_reference_vectors-%02d-of-03.safetensors", i);
      try (SafetensorsFile f = SafetensorsFile.open(LocalFiles.fs(), LocalFiles.hadoopPath(ReferenceData.file(name)))) {
        for (Map.Entry<String, String> e : f.header().metadata().entrySet()) {
          if (!e.getKey().contains("quant_state.bitsandbytes__")) {
            continue;
          }
          JsonNode state = json.readTree(e.getValue());
          List<Long> shape = new ArrayList<>();
          state.get("shape").forEach(d -> shape.add(d.longValue()));
          String type = state.get("quant_type").textValue();
          int blocksize = state.get("blocksize").intValue();
          String dtype = state.get("dtype").textValue();
          byte[] rebuilt;
          if (state.has("nested_offset")) {
            // the printed offset is a float32 value: parsing it as float is exact
            float offset = Float.parseFloat(state.get("nested_offset").asText());
            rebuilt = QuantStateJson.doubleQuant(type, blocksize, dtype, shape, offset);
            withOffset++;
          } else {
            rebuilt = QuantStateJson.plain(type, blocksize, dtype, shape);
          }
          assertEquals(e.getValue(), new String(rebuilt, StandardCharsets.UTF_8), e.getKey());
          checked++;
        }
      }
    }
    assertTrue(checked > 100 && withOffset > 40, checked + " quant states, " + withOffset + " with nested_offset");
  }
}
