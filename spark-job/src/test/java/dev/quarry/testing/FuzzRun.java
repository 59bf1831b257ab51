package dev.quarry.testing;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.IntFunction;

/**
 * Runs a parser over many generated inputs: each must parse or throw the parser's typed exception;
 * any other exception or error fails with the input's description (to reproduce it), and the whole
 * run has a time limit (a hang fails it). Both outcomes must be common, or the inputs are not
 * exploring the parser (all broken, or all harmless).
 */
public final class FuzzRun {
  /** One generated input: how to print it, and its parse. */
  public record Input(String description, Parse parse) {}

  public interface Parse {
    void run() throws Exception;
  }

  private FuzzRun() {}

  public static void run(int inputs, Duration limit, Class<? extends Exception> typed, IntFunction<Input> next) {
    int[] parsed = new int[1];
    int[] rejected = new int[1];
    assertTimeoutPreemptively(limit, () -> {
      for (int i = 0; i < inputs; i++) {
        Input input = next.apply(i);
        try {
          input.parse().run();
          parsed[0]++;
        } catch (Throwable t) {
          if (!typed.isInstance(t)) {
            fail("input " + i + " (" + input.description() + "): " + t, t);
          }
          rejected[0]++;
        }
      }
    });
    assertTrue(parsed[0] > inputs / 100 && rejected[0] > inputs / 100,
        "parsed " + parsed[0] + ", rejected " + rejected[0] + " of " + inputs);
  }
}
