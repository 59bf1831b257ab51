package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.quarry.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes on the command line and in paths are told in a user's words: no Java type names from the
 * option parser, no file system's own phrasing, no class names; exit code 2. None of these starts Spark.
 */
class UsageErrorsTest {
  private static final String COMMANDS = "convert, quantize, verify, inspect, dequantize, zoo, report, demo, help";

  @TempDir
  Path dir;

  private static void assertError(String expected, String... args) {
    CliRun run = new CliRun();
    assertEquals(2, run.run(args), run.err());
    assertEquals(expected, run.err());
    for (String internal : List.of("dev.quarry", "com.fasterxml", "picocli", "org.apache", "java.", "Exception",
        " int", " long")) {
      assertFalse(run.err().contains(internal), "no internals (" + internal + "): " + run.err());
    }
  }

  @Test
  void argumentsTheParserCannotPlace() {
    assertError("quarry: error: unknown command 'bogus'; the commands are " + COMMANDS + "\nTry 'quarry --help'.\n",
        "bogus");
    assertError("quarry: error: missing subcommand; the commands are " + COMMANDS + "\nTry 'quarry --help'.\n");
    assertError("quarry: error: unexpected argument 'c'\nTry 'quarry quantize --help'.\n",
        "quantize", "--mode", "int8", "a", "b", "c");
    assertError("quarry: error: unknown option '--bogus' (quarry verify --help lists them)\n"
        + "Try 'quarry verify --help'.\n", "verify", "out", "--bogus");
  }

  @Test
  void numbersAndMastersAreCheckedInAUsersWords() {
    assertError("quarry: error: Invalid value for option '--partitions': '1.5' is not a whole number\n"
        + "Try 'quarry convert --help'.\n", "convert", "--input", "i", "--output", "o", "--mode", "int8",
        "--partitions", "1.5");
    assertError("quarry: error: Invalid value for option '--stale-lock-hours': 'x' is not a whole number\n"
        + "Try 'quarry zoo --help'.\n", "zoo", "--stale-lock-hours", "x", "spec.yaml");
    assertError("quarry: error: Invalid value for option '--master': 'bogus' is not a Spark master URL: local, "
        + "local[N], local[*], local[N,F], spark://HOST:PORT, yarn or k8s://HOST:PORT\nTry 'quarry convert --help'.\n",
        "convert", "--input", "i", "--output", "o", "--mode", "int8", "--master", "bogus");
    assertError("quarry: error: Invalid value for option '--block-size-mb': '99999999999' is out of range "
        + "(-2147483648 to 2147483647)\nTry 'quarry convert --help'.\n", "convert", "--input", "i", "--output", "o",
        "--mode", "int8", "--block-size-mb", "99999999999");
  }

  /**
   * transformers tries every skip entry as a regular expression, so one that does not compile would
   * match nothing here and break loading there: refused before any work.
   */
  @Test
  void aModulePatternThatIsNotARegularExpressionIsRefused() {
    assertError("quarry: error: skip pattern '(' is not a regular expression (unclosed group at character 2); a "
        + "pattern is a module's full name, a dotted suffix of it, or a regular expression matching all of it\n"
        + "Try 'quarry convert --help'.\n", "convert", "--input", "i", "--output", "o", "--mode", "int8",
        "--skip-modules", "lm_head,(");
    assertError("quarry: error: include pattern 'a[' is not a regular expression (unclosed character class at "
        + "character 2); a pattern is a module's full name, a dotted suffix of it, or a regular expression matching "
        + "all of it\nTry 'quarry inspect --help'.\n", "inspect", "i", "--mode", "nf4", "--include-modules",
        "a[");
  }

  /** Every form of master URL Spark parses passes the check. */
  @Test
  void everySparkMasterUrlIsAccepted() {
    SparkOptions.MasterUrl check = new SparkOptions.MasterUrl();
    for (String url : List.of("local", "local[2]", "local[*]", "local[2, 3]", "local[*,4]", "local-cluster[2,1,1024]",
        "spark://127.0.0.1:7077", "spark://a:7077,b:7077", "yarn", "k8s://https://cluster.example:6443")) {
      assertEquals(url, check.convert(url));
    }
  }

  @Test
  void pathsThatAreNotWhatTheCommandReads() throws IOException {
    Path absent = dir.resolve("absent.yaml");
    assertError("quarry: error: " + absent + ": no such file (SPEC is a zoo spec, YAML)\nTry 'quarry zoo --help'.\n",
        "zoo", absent.toString());
    assertError("quarry: error: " + dir + ": a directory, not a zoo spec file (YAML)\nTry 'quarry zoo --help'.\n",
        "zoo", dir.toString());
    assertError("quarry: error: " + dir.resolve("absent") + ": no such directory\n", "verify",
        dir.resolve("absent").toString());
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertError("quarry: error: " + file + ": not a directory (OUT is a conversion's output directory)\n", "verify",
        file.toString());
    assertError("quarry: error: " + dir.resolve("absent") + ": no such file or directory\n", "convert", "--input",
        dir.resolve("absent").toString(), "--output", dir.resolve("out").toString(), "--mode", "int8");
  }
}
