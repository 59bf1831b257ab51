package dev.quarry.testing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * A reproducible byte mutator for fuzzing parsers from valid inputs: one to four edits per input,
 * chosen among bit flips, byte replacements, inserted JSON tokens and hostile values, deletions,
 * duplicated ranges and truncation. The same seed gives the same inputs on every run.
 */
public final class SeededMutator {
  private static final String[] TOKENS = {
      "{", "}", "[", "]", "\"", ":", ",", "-", "0", "-1", "1.5", "1e400", "-0", "NaN", "null", "true",
      "9223372036854775807", "9223372036854775808", "18446744073709551616", "4294967296", "99999999999999999999999",
      "\"F4\"", "\"BF16\"", "\"U8\"", "\"F64\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"",
      "\"weight_map\"", "\"../x.safetensors\"", "\"/etc/x.safetensors\"", "\"http://example.com/x.safetensors\"",
      "\"file:x.safetensors\"", "\"..\"", "\"\"", "\"C:\\\\x.safetensors\"", "\"\\u0000\"", "\"\\ud800\"",
      "[[[[[[[[[[[[[[[[", "{\"a\":{\"a\":{\"a\":{", "\"model-00001-of-00002.safetensors\""};
  private static final byte[] BYTES = {0, 1, 0x7f, (byte) 0x80, (byte) 0xc3, (byte) 0xe2, (byte) 0xf0, (byte) 0xff,
      ' ', '\n', '\\', '"', '{', '}', '[', ']', ':', ','};

  private final Random random;

  public SeededMutator(long seed) {
    this.random = new Random(seed);
  }

  public Random random() {
    return random;
  }

  public byte[] mutate(byte[] seed) {
    byte[] b = seed.clone();
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits; i++) {
      b = edit(b);
    }
    return b;
  }

  private byte[] edit(byte[] b) {
    int at = b.length == 0 ? 0 : random.nextInt(b.length);
    switch (random.nextInt(7)) {
      case 0:
        if (b.length > 0) {
          b[at] ^= (byte) (1 << random.nextInt(8));
        }
        return b;
      case 1:
        if (b.length > 0) {
          b[at] = BYTES[random.nextInt(BYTES.length)];
        }
        return b;
      case 2:
        return insert(b, at, TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
      case 3:
        return delete(b, at, 1 + random.nextInt(Math.max(1, Math.min(64, b.length - at))));
      case 4: {
        int length = 1 + random.nextInt(Math.max(1, Math.min(256, b.length - at)));
        return insert(b, random.nextInt(b.length + 1), Arrays.copyOfRange(b, at, Math.min(b.length, at + length)));
      }
      case 5:
        return replaceNumber(b, at);
      default:
        return Arrays.copyOf(b, random.nextInt(b.length + 1));
    }
  }

  /** Replaces the digits at or after {@code at} by a hostile number. */
  private byte[] replaceNumber(byte[] b, int at) {
    int start = at;
    while (start < b.length && !Character.isDigit(b[start])) {
      start++;
    }
    int end = start;
    while (end < b.length && Character.isDigit(b[end])) {
      end++;
    }
    String[] numbers = {"0", "1", "-1", "7", "255", "65536", "2147483648", "9223372036854775807",
        "9223372036854775808", "1e3", "0.5", "100000001"};
    byte[] n = numbers[random.nextInt(numbers.length)].getBytes(StandardCharsets.US_ASCII);
    return insert(delete(b, start, end - start), start, n);
  }

  private static byte[] insert(byte[] b, int at, byte[] what) {
    byte[] r = new byte[b.length + what.length];
    System.arraycopy(b, 0, r, 0, at);
    System.arraycopy(what, 0, r, at, what.length);
    System.arraycopy(b, at, r, at + what.length, b.length - at);
    return r;
  }

  private static byte[] delete(byte[] b, int at, int length) {
    int n = Math.max(0, Math.min(length, b.length - at));
    byte[] r = new byte[b.length - n];
    System.arraycopy(b, 0, r, 0, at);
    System.arraycopy(b, at + n, r, at, b.length - at - n);
    return r;
  }
}
