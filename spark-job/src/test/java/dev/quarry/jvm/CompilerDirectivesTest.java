package dev.quarry.jvm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CompilerDirectivesTest {
  /** Code that must stay C2's: the kernels, the Vector API and the JDK code they inline. */
  private static final List<String> HOT = List.of("dev/quarry/kernels/vector/Bf16FourBitQuantizer",
      "dev/quarry/quality/ErrorMeter", "jdk/incubator/vector/ShortVector", "jdk/internal/vm/vector/VectorSupport",
      "java/lang/Math", "java/nio/HeapByteBuffer", "java/util/zip/CRC32C", "jdk/internal/misc/Unsafe");

  @Test
  void theJvmHasTheDirectivesOnceAdded() throws Exception {
    CompilerDirectives.add();
    CompilerDirectives.add(); // a second call adds nothing
    String printed = CompilerDirectives.printed();
    for (String pattern : patterns()) {
      assertTrue(printed.contains(pattern), "the JVM's directives lack " + pattern + ":\n" + printed);
    }
    assertTrue(printed.indexOf("java/io/Object*.*") == printed.lastIndexOf("java/io/Object*.*"),
        "the directives were added twice:\n" + printed);
    String ours = printed.substring(printed.indexOf("java/io/Object*.*"));
    String c2 = ours.substring(ours.indexOf("c2 directives:"));
    assertTrue(c2.substring(0, c2.indexOf('\n', c2.indexOf("Exclude:"))).contains("Exclude:true"),
        "C2 does not exclude the matched methods:\n" + ours);
  }

  @Test
  void theDirectivesLeaveTheKernelsToC2() throws IOException {
    for (String pattern : patterns()) {
      Pattern glob = Pattern.compile(Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
      for (String hot : HOT) {
        assertFalse(glob.matcher(hot + ".method").matches(), pattern + " would keep " + hot + " from C2");
      }
    }
  }

  private static List<String> patterns() throws IOException {
    try (InputStream in = CompilerDirectives.class.getResourceAsStream("compiler-directives.json")) {
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> patterns = new ArrayList<>();
      Matcher m = Pattern.compile("\"([^\"]+)\"").matcher(json.replaceAll("//[^\n]*", ""));
      while (m.find()) {
        patterns.add(m.group(1));
      }
      assertTrue(patterns.size() > 10, "few patterns in the directives: " + patterns);
      return patterns;
    }
  }
}
