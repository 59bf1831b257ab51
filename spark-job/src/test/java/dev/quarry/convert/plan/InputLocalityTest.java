package dev.quarry.convert.plan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.read.ModelReader;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Local files have no real block locations (Hadoop reports "localhost"): their tasks prefer no host. */
class InputLocalityTest {
  @Test
  void localFilesGiveNoPreferences() throws IOException {
    Path reference = ReferenceData.file("tiny-llama/input/config.json").getParent();
    ConversionPlan plan = Planner.plan(ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(reference)),
        ConvertOptions.of(reference.toString(), "unused", QuantMode.NF4));
    InputLocality locality = InputLocality.of(plan.blocks());
    assertTrue(!plan.blocks().isEmpty() && plan.blocks().stream().allMatch(b -> locality.bytesByHost(b).isEmpty()));
  }
}
