package dev.quarry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quarry.convert.ConvertSummary;
import org.junit.jupiter.api.Test;

/** Sizes and rates keep three significant digits in the unit that shows them, at every scale. */
class ByteUnitsTest {
  @Test
  void sizesPickTheLargestUnitThatKeepsTheFigureAtOneOrMore() {
    assertEquals("0 B", ByteUnits.size(0));
    assertEquals("999 B", ByteUnits.size(999));
    assertEquals("1.00 KB", ByteUnits.size(999.5));
    assertEquals("1.00 KB", ByteUnits.size(1000));
    assertEquals("12.3 KB", ByteUnits.size(12_345));
    assertEquals("123 KB", ByteUnits.size(123_456));
    assertEquals("1.00 MB", ByteUnits.size(999_999));
    assertEquals("4.19 MB", ByteUnits.size(4 << 20));
    assertEquals("13.5 GB", ByteUnits.size(13_480_000_000L));
    assertEquals("2.50 TB", ByteUnits.size(2.5e12));
    assertEquals("2500 TB", ByteUnits.size(2.5e15));
  }

  @Test
  void ratesDivideByTheTimeAndSayWhenThereIsNone() {
    assertEquals("25.0 KB/s", ByteUnits.rate(40_000, 1.6));
    assertEquals("370 MB/s", ByteUnits.rate(13_480_000_000L, 36.4));
    assertEquals("500 B/s", ByteUnits.rate(1000, 2));
    assertEquals("? B/s", ByteUnits.rate(1000, 0));
  }

  /** A small conversion's summary used to read "0.000 GB/s of input". */
  @Test
  void aSmallConversionsSummaryShowsItsRate() {
    assertEquals("converted 3 tensors (2 quantized, 1 copied) in 4 blocks into 1 shard(s): 40.0 KB -> 12.0 KB "
            + "(40000 -> 12000 bytes), 1.6 s (quantize stage 0.5 s), 25.0 KB/s of input",
        new ConvertSummary(false, 3, 2, 4, 1, 40_000, 12_000, 0.5, 1.6).describe());
  }
}
