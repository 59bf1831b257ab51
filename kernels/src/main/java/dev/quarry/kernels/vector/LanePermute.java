package dev.quarry.kernels.vector;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import jdk.incubator.vector.ShortVector;

/**
 * Whether a per-lane pick from one vector of 16 shorts ({@code index.selectFrom(table)}) compiles
 * to a single instruction here, so that NF4 of bfloat16 input picks each search level's cut that way
 * instead of by blends ({@link Bf16FourBitQuantizer}). Decided once per JVM, and logged.
 *
 * <p>It does with AVX-512 (C2 emits {@code vpermw} and masked adds; on x86 the preferred vectors are
 * 512 bits only with AVX-512) on JDK 25: there nf4 ran 4.9–5.7 GB/s per core against 4.0–4.3 by
 * blends (bf16, blocksize 64, 16 MiB, one JVM per run, alternating; AMD EPYC, 2026-12-07). With AVX2
 * code ({@code -XX:UseAVX=2}) the permute of shorts is emulated: 3.3 against 3.8 GB/s. JDK 17 checks
 * every computed shuffle's indexes, about 10 instructions a level: 2.6–3.9 against 3.6–4.5 GB/s.
 * JDKs between 17 and 25 were not measured and take the blends.
 */
final class LanePermute {
  private static final Logger LOG = System.getLogger(LanePermute.class.getName());
  private static final int FIRST_FAST_JDK = 25;
  private static final int FAST_PREFERRED_BITS = 512;

  /** The decision, made (and logged) when this class is first used. */
  static final boolean FAST = decide(Runtime.version().feature(), ShortVector.SPECIES_PREFERRED.vectorBitSize());

  private LanePermute() {}

  private static boolean decide(int jdk, int preferredBits) {
    boolean fast = jdk >= FIRST_FAST_JDK && preferredBits >= FAST_PREFERRED_BITS;
    String why = fast
        ? " (JDK " + jdk + ", " + preferredBits + "-bit preferred vectors)"
        : jdk < FIRST_FAST_JDK
            ? ", as JDK " + jdk + " checks every computed shuffle (the permute search wants JDK " + FIRST_FAST_JDK + " or later)"
            : ", as the preferred vectors are " + preferredBits + " bits: no one-instruction permute of shorts (AVX-512 has one)";
    LOG.log(Level.INFO, "quarry kernels: nf4 of bfloat16 searches its cuts by " + (fast ? "lane permute" : "blends") + why);
    return fast;
  }
}
