package dev.quarry.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.testing.LocalFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a safetensors file can be invalid gives a CheckpointFormatException naming file and tensor. */
class SafetensorsValidationTest {
  private static final String OK_ENTRY = "\"a\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]}";

  @TempDir
  Path dir;

  private CheckpointFormatException openFails(Path file) {
    return assertThrows(CheckpointFormatException.class,
        () -> SafetensorsFile.open(LocalFiles.fs(), LocalFiles.hadoopPath(file)).close());
  }

  private CheckpointFormatException headerFails(String header, int dataBytes) throws IOException {
    Path file = dir.resolve("bad.safetensors");
    LocalFiles.writeRaw(file, header, dataBytes);
    return openFails(file);
  }

  private static void assertProblem(CheckpointFormatException e, String tensor, String phrase) {
    assertTrue(e.getMessage().startsWith(e.file() + ": "), e.getMessage());
    assertTrue(e.file().endsWith("bad.safetensors"), e.file());
    assertEquals(tensor, e.tensor(), e.getMessage());
    if (tensor != null) {
      assertTrue(e.getMessage().contains("tensor '" + tensor + "': "), e.getMessage());
    }
    assertTrue(e.problem().contains(phrase), () -> "'" + e.problem() + "' should contain '" + phrase + "'");
  }

  @Test
  void validFileOpens() throws IOException {
    Path file = dir.resolve("ok.safetensors");
    LocalFiles.writeRaw(file, "{" + OK_ENTRY + "}", 12);
    try (SafetensorsFile f = SafetensorsFile.open(LocalFiles.fs(), LocalFiles.hadoopPath(file))) {
      assertEquals(1, f.header().tensors().size());
    }
  }

  @Test
  void shorterThanTheLengthPrefix() throws IOException {
    Path file = dir.resolve("bad.safetensors");
    Files.write(file, new byte[] {1, 2, 3});
    assertProblem(openFails(file), null, "not a safetensors file");
  }

  @Test
  void headerLongerThanFile() throws IOException {
    Path file = dir.resolve("bad.safetensors");
    Files.write(file, new byte[] {(byte) 200, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
    assertProblem(openFails(file), null, "exceeds the file size");
  }

  @Test
  void headerOver100Megabytes() throws IOException {
    Path file = dir.resolve("bad.safetensors");
    // 100,000,001 as little-endian u64: refused before anything is allocated or read.
    Files.write(file, new byte[] {0x01, (byte) 0xe1, (byte) 0xf5, 0x05, 0, 0, 0, 0, '{', '}'});
    assertProblem(openFails(file), null, "exceeds the limit");
  }

  @Test
  void notUtf8() throws IOException {
    Path file = dir.resolve("bad.safetensors");
    LocalFiles.writeRaw(file, new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}', ' '}, 0);
    assertProblem(openFails(file), null, "not valid UTF-8");
  }

  @Test
  void notJson() throws IOException {
    assertProblem(headerFails("{\"a\": ", 0), null, "not valid JSON");
    assertProblem(headerFails("{} trailing", 0), null, "not valid JSON");
  }

  @Test
  void notAnObject() throws IOException {
    assertProblem(headerFails("[1, 2]  ", 0), null, "not a JSON object");
    assertProblem(headerFails("{\"a\": 5}", 0), "a", "not a JSON object");
  }

  @Test
  void missingFields() throws IOException {
    assertProblem(headerFails("{\"a\":{\"shape\":[2,3],\"data_offsets\":[0,12]}}", 12), "a", "no dtype");
    assertProblem(headerFails("{\"a\":{\"dtype\":\"BF16\",\"data_offsets\":[0,12]}}", 12), "a", "no shape");
    assertProblem(headerFails("{\"a\":{\"dtype\":\"BF16\",\"shape\":[2,3]}}", 12), "a", "no data_offsets");
  }

  @Test
  void unknownDtype() throws IOException {
    assertProblem(headerFails("{\"a\":{\"dtype\":\"Q3\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", 12), "a",
        "unknown dtype 'Q3'");
  }

  @Test
  void negativeOrNonIntegerShape() throws IOException {
    assertProblem(headerFails("{\"a\":{\"dtype\":\"U8\",\"shape\":[-1,3],\"data_offsets\":[0,3]}}", 3), "a",
        "non-negative integers");
    assertProblem(headerFails("{\"a\":{\"dtype\":\"U8\",\"shape\":[1.5,2],\"data_offsets\":[0,3]}}", 3), "a",
        "non-negative integers");
    assertProblem(headerFails("{\"a\":{\"dtype\":\"U8\",\"shape\":\"3\",\"data_offsets\":[0,3]}}", 3), "a",
        "not an array");
  }

  @Test
  void shapeDisagreesWithByteRange() throws IOException {
    assertProblem(headerFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", 12), "a",
        "needs 24 bytes");
  }

  @Test
  void offsetsOutOfBoundsOrTruncatedFile() throws IOException {
    assertProblem(headerFails("{" + OK_ENTRY + "}", 10), "a", "beyond the 10 data bytes");
  }

  @Test
  void bytesAfterTheLastTensor() throws IOException {
    assertProblem(headerFails("{" + OK_ENTRY + "}", 14), null, "2 bytes after the last tensor");
  }

  @Test
  void overlappingTensors() throws IOException {
    String b = "\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[10,14]}";
    assertProblem(headerFails("{" + OK_ENTRY + "," + b + "}", 14), "b", "overlap tensor 'a'");
  }

  @Test
  void gapBetweenTensors() throws IOException {
    String b = "\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[16,20]}";
    assertProblem(headerFails("{" + OK_ENTRY + "," + b + "}", 20), "b", "gap of 4 bytes");
    String c = "\"c\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[2,6]}";
    assertProblem(headerFails("{" + c + "}", 6), "c", "gap of 2 bytes");
  }

  @Test
  void badDataOffsets() throws IOException {
    assertProblem(headerFails("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,0]}}", 4), "a",
        "data_offsets must be [begin, end]");
  }

  @Test
  void duplicateTensorNames() throws IOException {
    assertProblem(headerFails("{" + OK_ENTRY + "," + OK_ENTRY + "}", 12), "a", "Duplicate");
  }

  @Test
  void duplicateFieldInsideAnEntryIsInvalidJson() throws IOException {
    assertProblem(headerFails("{\"a\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4),
        null, "not valid JSON");
  }

  @Test
  void metadataMustMapStringsToStrings() throws IOException {
    assertProblem(headerFails("{\"__metadata__\":{\"format\":1}}", 0), null, "not a string");
  }

  @Test
  void fileTruncatedAfterOpening() throws IOException {
    Path file = dir.resolve("bad.safetensors");
    LocalFiles.writeRaw(file, "{" + OK_ENTRY + "}", 12);
    try (SafetensorsFile f = SafetensorsFile.open(LocalFiles.fs(), LocalFiles.hadoopPath(file))) {
      byte[] all = Files.readAllBytes(file);
      Files.write(file, java.util.Arrays.copyOf(all, all.length - 6));
      CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
          () -> f.read(f.header().tensor("a"), 0, java.nio.ByteBuffer.allocate(12)));
      assertProblem(e, "a", "truncated");
    }
  }

  @Test
  void messagesAreUtf8Safe() throws IOException {
    String name = "caf\u00e9";
    String header = "{\"" + name + "\":{\"dtype\":\"X\",\"shape\":[],\"data_offsets\":[0,1]}}";
    Path file = dir.resolve("bad.safetensors");
    LocalFiles.writeRaw(file, header.getBytes(StandardCharsets.UTF_8), 1);
    assertProblem(openFails(file), name, "unknown dtype");
  }
}
