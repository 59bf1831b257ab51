package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A tensor quantized in pieces (as Spark tasks do) concatenates to the whole-tensor result. */
class FourBitSplittingTest {

  @ParameterizedTest
  @CsvSource({
    "big_bf16/nf4/bs64/plain",      // 1 Mi elements: pieces cross the quantizer's 64 Ki chunks
    "normal_f16/fp4/bs4096/plain",  // short last block
    "odd_f32/nf4/bs64/plain",       // odd element count: padded last nibble
    "uniform_f32/fp4/bs32/plain",
    "normal_bf16/nf4/bs64/plain",
  })
  void piecesAtBlockBoundariesConcatenateToTheWholeTensor(String prefix) {
    ReferenceCase c = ReferenceCase.parse(prefix);
    byte[] expectedPacked = ReferenceVectors.bytes(c.result("packed"));
    byte[] expectedAbsmax = ReferenceVectors.bytes(c.result("absmax"));
    float wholeMean = c.quantize().absmaxSum().mean(c.blocks());
    long n = c.elementCount();
    int elementBytes = c.type().byteSize();
    SplittableRandom random = new SplittableRandom(prefix.hashCode());
    for (int round = 0; round < 5; round++) {
      ByteBuffer src = c.inputTensor().bytes();
      ByteBuffer packed = ByteBuffer.allocate(expectedPacked.length);
      ByteBuffer absmax = ByteBuffer.allocate(expectedAbsmax.length);
      ExactSum merged = new ExactSum();
      for (long done = 0; done < n; ) {
        long blocksLeft = (n - done + c.blocksize() - 1) / c.blocksize();
        long pieceBlocks = 1 + random.nextLong(Math.min(blocksLeft, 3L * FourBitQuantizer.CHUNK_ELEMENTS / c.blocksize()));
        long length = Math.min(n - done, pieceBlocks * c.blocksize());
        // each piece gets its own quantizer and source slice, like a task reading a byte range
        ByteBuffer piece = src.slice(Math.toIntExact(done * elementBytes), Math.toIntExact(length * elementBytes));
        FourBitQuantizer quantizer = new FourBitQuantizer(new ScalarKernelSupport(), c.format(), c.type(), c.blocksize());
        quantizer.quantize(piece.order(src.order()), length, packed, absmax);
        assertEquals(0, piece.remaining(), "the piece was consumed exactly");
        merged.merge(quantizer.absmaxSum());
        done += length;
      }
      assertArrayEquals(expectedPacked, packed.array(), prefix + " packed");
      assertArrayEquals(expectedAbsmax, absmax.array(), prefix + " absmax");
      assertEquals(Float.floatToRawIntBits(wholeMean), Float.floatToRawIntBits(merged.mean(c.blocks())), "merged mean");
    }
  }
}
