package dev.quarry.convert.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.plan.BlockSection;
import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.OutputLayout;
import dev.quarry.convert.plan.Piece;
import dev.quarry.convert.plan.Planner;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.quantize.QuantMode;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A shard cut into parts, in blocks of work far smaller than a tensor: the parts' bytes, one after the
 * other, are the shard bitsandbytes saved; each part holds between the part size and twice it (but the
 * last), no block's section is cut in two, although a tensor's scales lie in other parts than its codes
 * and copied tensors are cut anywhere; every piece's CRC32C composed from the ranges the parts wrote of
 * it is the CRC32C of the reference's bytes there, and each block's error comes back once.
 */
class ShardPartsTest {
  /** Not a multiple of anything in the layout, so that cuts fall everywhere. */
  private static final long PART_BYTES = (37 << 10) + 3;

  @ParameterizedTest
  @EnumSource(value = QuantMode.class, names = {"NF4", "INT8"})
  void partsPutTogetherAreTheReferenceShard(QuantMode mode) throws IOException {
    Path input = ReferenceData.file("tiny-llama/input/config.json").getParent();
    ConvertOptions o = ConvertOptions.of(input.toString(), "unused", mode).withBlockBytes(16 << 10);
    ConversionPlan plan = Planner.plan(ModelReader.read(LocalFiles.fs(), LocalFiles.hadoopPath(input)), o);
    float[] offsets = new float[plan.tensors().size()];
    ShardPlacement placement = ShardPlacement.of(OutputLayout.of(plan, o, offsets),
        new org.apache.hadoop.fs.Path("file:///out"), plan, offsets, id -> null);
    assertEquals(1, placement.files().size(), "tiny-llama is one output shard");
    ShardFile shard = placement.files().get(0);
    List<UploadPart> parts = ShardParts.of(placement, PART_BYTES, Map.of(shard.path(), new byte[] {1}));
    assertTrue(parts.size() >= 10, parts.size() + " parts");

    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    List<PutPart> put = new ArrayList<>();
    for (UploadPart part : parts) {
      try (PartBytes bytes = new PartBytes(part)) {
        long before = whole.size();
        bytes.transferTo(whole);
        assertEquals(part.length(), whole.size() - before, "part " + part.number());
        assertTrue(part.length() <= 2 * PART_BYTES && (part.length() >= PART_BYTES || part.last()),
            "part " + part.number() + " of " + part.length() + " bytes");
        bytes.requireComplete();
        for (UploadPart.PartPiece p : part.pieces()) {
          // a block's sections are a few KiB here: a cut between pieces is always within reach
          assertTrue(p.unit() == null || p.placed().position() >= part.start() && p.end() <= part.end(),
              "a section of block " + (p.unit() == null ? "" : p.unit().block().blockId()) + " across a cut of part "
                  + part.number());
        }
        put.add(new PutPart(part.shard(), part.number(), part.length(), new byte[0], bytes.written(), "test", part.number()));
      }
    }
    byte[] reference = Files.readAllBytes(ReferenceData.file("tiny-llama/hf-" + mode.cliName() + "/model.safetensors"));
    assertArrayEquals(reference, whole.toByteArray(), "the shard from " + parts.size() + " parts");

    Map<Piece, Long> positions = new HashMap<>();
    placement.units().forEach(u -> u.pieces().forEach(p -> positions.put(p.piece(), p.position())));
    List<WrittenPiece> written = PieceRanges.compose(put);
    assertEquals(positions.keySet().stream().filter(p -> p.length() > 0).count(), written.size(), "every piece written");
    long errorsCounted = 0;
    for (WrittenPiece w : written) {
      CRC32C crc = new CRC32C();
      crc.update(reference, Math.toIntExact(positions.get(w.piece())), Math.toIntExact(w.piece().length()));
      assertEquals(crc.getValue(), w.crc32c(), "the CRC32C of a piece at " + positions.get(w.piece()));
      if (w.errors() != null) {
        assertEquals(BlockSection.CODES, w.piece().section());
        errorsCounted += w.errors().count();
      }
    }
    assertEquals(plan.blocks().stream().mapToLong(BlockTask::elementCount).sum(), errorsCounted,
        "the error of every element of every block, once");
  }
}
