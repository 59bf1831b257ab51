package dev.quarry.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PythonFloatReprTest {

  /**
   * float32 bit pattern → Python's repr(float(np.float32(value))), the way bitsandbytes prints
   * nested_offset. Produced here with python3 3.11 and numpy:
   * {@code print('{0x%08x, "%s"},' % (bits, repr(float(v))))} over hand-picked values and 40
   * float32 values of random mantissa and decimal exponent -45…38 (numpy default_rng(7)).
   */
  private static final Object[][] FLOAT32_CASES = {
      {0x3c4985f0, "0.012299999594688416"},
      {0x3727c5ac, "9.999999747378752e-06"},
      {0x5a5529af, "1.5000000408846336e+16"},
      {0x5a0e1bca, "1.0000000272564224e+16"},
      {0x58635fa9, "999999986991104.0"},
      {0x38d1b717, "9.999999747378752e-05"},
      {0x3a83126f, "0.0010000000474974513"},
      {0x4ceb79a3, "123456792.0"},
      {0x00800000, "1.1754943508222875e-38"},
      {0x00000001, "1.401298464324817e-45"},
      {0x7f7fffff, "3.4028234663852886e+38"},
      {0x3dcccccd, "0.10000000149011612"},
      {0x3eaaaaab, "0.3333333432674408"},
      {0x3d556d80, "0.052106380462646484"},
      {0x3d537700, "0.051627159118652344"},
      {0x3f800000, "1.0"},
      {0x42c80000, "100.0"},
      {0x477fe000, "65504.0"},
      {0xc0200000, "-2.5"},
      {0x64078678, "9.999999778196308e+21"},
      {0x5a0e1bc9, "9999999198822400.0"},
      {0x00000000, "0.0"},
      {0x4bc697c4, "26029960.0"},
      {0x72049138, "2.6257651195382215e+30"},
      {0x60e990ae, "1.3464114498005421e+20"},
      {0x1552396a, "4.245445397399776e-26"},
      {0x1f82d508, "5.54095722112654e-20"},
      {0x6e9ea810, "2.4550903323665752e+28"},
      {0x00000004, "5.605193857299268e-45"},
      {0x67347e0e, "8.523512654761401e+23"},
      {0x63d89a55, "7.991235029552249e+21"},
      {0x36cc996c, "6.0975344240432605e-06"},
      {0x1f8e5908, "6.028662910287805e-20"},
      {0x1c78296e, "8.21098633813293e-22"},
      {0x1829306e, "2.1867188793985712e-24"},
      {0x33286d64, "3.921503832771123e-08"},
      {0x3b41230a, "0.002947034779936075"},
      {0x41a3f8e0, "20.49652099609375"},
      {0x7f800000, "inf"},
      {0x6313e4f9, "2.7281705975451526e+21"},
      {0x4c23a994, "42903120.0"},
      {0x7e663ced, "7.65096959432797e+37"},
      {0x13bd8d56, "4.784967554226243e-27"},
      {0x0c2da775, "1.3377827482485073e-31"},
      {0x4a95ebec, "4912630.0"},
      {0x00001d29, "1.046069303618476e-41"},
      {0x00000ca9, "4.541608322876732e-42"},
      {0x3c8cb479, "0.01717589981853962"},
      {0x3619ba98, "2.2907388483872637e-06"},
      {0x739d5ff8, "2.4937044808551586e+31"},
      {0x4d1bbf24, "163312192.0"},
      {0x3c61d6ac, "0.013784091919660568"},
      {0x3aa0ac14, "0.0012258314527571201"},
      {0x17c871b5, "1.2953400761253655e-24"},
      {0x0000003c, "8.407790785948902e-44"},
      {0x10a47122, "6.486090292515217e-29"},
      {0x54ae92a5, "5998276771840.0"},
      {0x11f3d818, "3.847181804939555e-28"},
      {0x2948e94b, "4.4611270379841736e-14"},
      {0x0000000d, "1.8216880036222622e-44"},
      {0x687e1c62, "4.800018628508678e+24"},
      {0x0a9e877d, "1.5265811587607002e-32"},
  };

  /** double bit pattern → Python's repr(d), produced with python3 3.11 the same way. */
  private static final Object[][] DOUBLE_CASES = {
      {0x3f8930be0ded288dL, "0.0123"},
      {0x3ee4f8b588e368f1L, "1e-05"},
      {0x434aa535d3d0c000L, "1.5e+16"},
      {0x4341c37937e08000L, "1e+16"},
      {0x430c6bf526340000L, "1000000000000000.0"},
      {0x3f1a36e2eb1c432dL, "0.0001"},
      {0x8000000000000000L, "-0.0"},
      {0x405edd2f1a9fbe77L, "123.456"},
      {0xbe7ad7f29abcaf48L, "-1e-07"},
      {0x0000000000000001L, "5e-324"},
      {0x7fefffffffffffffL, "1.7976931348623157e+308"},
      {0x3fd3333333333334L, "0.30000000000000004"},
      {0x43b0000000000000L, "1.152921504606847e+18"},
      {0x44b52d02c7e14af6L, "1e+23"},
      {0x4340000000000000L, "9007199254740992.0"},
      {0x4011666666666666L, "4.35"},
      {0x0000000000000003L, "1.5e-323"},
  };

  @Test
  void float32ValuesPrintAsPythonPrintsTheirDouble() {
    for (Object[] c : FLOAT32_CASES) {
      float f = Float.intBitsToFloat((Integer) c[0]);
      assertEquals(c[1], PythonFloatRepr.repr(f), () -> "bits " + Integer.toHexString((Integer) c[0]));
    }
  }

  @Test
  void doublesPrintAsPythonRepr() {
    for (Object[] c : DOUBLE_CASES) {
      double d = Double.longBitsToDouble((Long) c[0]);
      assertEquals(c[1], PythonFloatRepr.repr(d), () -> "bits " + Long.toHexString((Long) c[0]));
    }
  }
}
