package dev.quarry.convert.commit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.convert.plan.OutputLayout;
import dev.quarry.convert.plan.OutputTensorPlan;
import dev.quarry.convert.plan.Piece;
import dev.quarry.convert.plan.ShardTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** A tensor's CRC32C composed from its pieces' is the CRC32C of its bytes, whatever the pieces. */
class OutputCrcsTest {
  @Test
  void aTensorsCrcComposedFromItsPiecesIsTheCrcOfItsBytes() {
    Random random = new Random(7);
    for (int round = 0; round < 50; round++) {
      List<Piece> pieces = new ArrayList<>();
      Map<Piece, Long> crcs = new java.util.HashMap<>();
      java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
      int count = 1 + random.nextInt(6);
      for (int i = 0; i < count; i++) {
        byte[] bytes = new byte[random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(5000)];
        random.nextBytes(bytes);
        whole.writeBytes(bytes);
        Piece p = random.nextBoolean() ? Piece.ofBytes(bytes) : Piece.ofFile("file:/in-" + i, round * 1000L + i, bytes.length);
        pieces.add(p);
        if (p.inline() == null) {
          crcs.put(p, crc(bytes));
        }
      }
      long length = pieces.stream().mapToLong(Piece::length).sum();
      OutputTensorPlan tensor = new OutputTensorPlan("t", dev.quarry.safetensors.Dtype.U8, List.of(length), pieces);
      OutputLayout layout = new OutputLayout(List.of(new ShardTask("model.safetensors", List.of(tensor))), Map.of());
      assertEquals(crc(whole.toByteArray()), OutputCrcs.of(layout, crcs).get("model.safetensors").get("t"),
          "round " + round + ", " + count + " pieces");
    }
  }

  private static long crc(byte[] bytes) {
    CRC32C c = new CRC32C();
    c.update(bytes);
    return c.getValue();
  }
}
