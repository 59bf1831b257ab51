package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class RcpErrorTableTest {

  @Test
  void resourceDecodesToTheMeasuredTable() throws IOException {
    byte[] measured = RcpErrorTableWriter.readMeasuredTable(ReferenceDir.file("rcp-sm90-ulp-diff.bin.gz"));
    int minusOne = 0;
    int plusOne = 0;
    for (int m = 0; m < RcpErrorTable.ENTRIES; m++) {
      int error = RcpErrorTable.ulpError(m);
      if (error != measured[m]) {
        assertEquals(measured[m], error, "ulp error of mantissa " + m);
      }
      minusOne += error == -1 ? 1 : 0;
      plusOne += error == 1 ? 1 : 0;
    }
    assertEquals(374_723, minusOne, "entries -1 (bnb-exact.md §1)");
    assertEquals(733_799, plusOne, "entries +1 (bnb-exact.md §1)");
  }
}
