package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.VectorShape;
import org.junit.jupiter.api.Test;

/** The provider: what it picks with and without the Vector API module, and the forcing property. */
class KernelsTest {

  /**
   * surefire runs with --add-modules jdk.incubator.vector on a HotSpot C2 JVM: the vector kernels
   * (256-bit vectors) wherever the CPU's preferred vectors are at least that wide — AVX2 and AVX-512
   * hosts alike — and the scalar ones where they are narrower.
   */
  @Test
  void picksTheKernelsTheHostsPreferredVectorsCallFor() {
    assertEquals(null, System.getProperty(Kernels.PROPERTY), "the test JVM must not force a choice");
    int preferredBits = VectorShape.preferredShape().vectorBitSize();
    assertEquals(preferredBits >= 256 ? "vector-256" : "scalar", Kernels.get().name(),
        "preferred vectors of " + preferredBits + " bits");
  }

  /** Forcing the vector kernels takes them even where the preferred vectors are narrower. */
  @Test
  void propertyForcesEitherImplementation() {
    assertSame(Kernels.scalar(), Kernels.select("scalar"));
    assertEquals("vector-256", Kernels.select("vector").name());
    assertEquals("vector-256", Kernels.select(" Vector ").name());
  }

  @Test
  void rejectsAnUnknownChoice() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernels.select("simd"));
    assertTrue(e.getMessage().contains("expected scalar or vector"), e.getMessage());
  }

  @Test
  void fallsBackToScalarWithAWarningNamingTheFixWhenTheModuleIsMissing() throws Exception {
    ChildJvm child = runChild();
    assertEquals(0, child.exitCode(), child.output());
    assertTrue(child.output().contains("chosen=scalar"), child.output());
    assertTrue(child.output().contains("WARNING") && child.output().contains("--add-modules jdk.incubator.vector"),
        child.output());
  }

  @Test
  void forcingVectorWithoutTheModuleFailsNamingTheFix() throws Exception {
    ChildJvm child = runChild("-D" + Kernels.PROPERTY + "=vector");
    assertTrue(child.exitCode() != 0, child.output());
    assertTrue(child.output().contains("--add-modules jdk.incubator.vector"), child.output());
  }

  @Test
  void forcedScalarIsLoggedAtInfo() throws Exception {
    ChildJvm child = runChild("-D" + Kernels.PROPERTY + "=scalar");
    assertTrue(child.output().contains("chosen=scalar"), child.output());
    assertTrue(child.output().contains("INFO") && child.output().contains("forced"), child.output());
  }

  /** A JVM on the same classes without --add-modules jdk.incubator.vector. */
  private static ChildJvm runChild(String... jvmOptions) throws IOException, InterruptedException, URISyntaxException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.add("-cp");
    command.add(location(Kernels.class) + File.pathSeparator + location(PrintChosenKernels.class));
    command.add(PrintChosenKernels.class.getName());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
    return new ChildJvm(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  private static String location(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  private record ChildJvm(int exitCode, String output) {}
}
