package dev.quarry.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.testing.ProjectFiles;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The application jar for spark-submit: its main class is the quarry command, it carries quarry, the
 * kernels and picocli — not the benchmarks — and not one class that a Spark installation (Spark, Hadoop, Jackson, Scala,
 * log4j ...) already has, so no two copies of a class can meet on a cluster's classpath.
 */
class ApplicationJarIT {
  @Test
  void carriesQuarryAndNothingSparkProvides() throws IOException {
    Set<String> classes = classes(ProjectFiles.built("quarry-app.jar"));
    assertTrue(classes.contains("dev/quarry/cli/Quarry.class"));
    assertTrue(classes.contains("dev/quarry/kernels/KernelSupport.class"));
    assertTrue(classes.contains("picocli/CommandLine.class"));
    // the benchmarks (scripts/bench) are test sources: a user's jar carries only what quarry runs
    assertEquals(List.of(), classes.stream().filter(c -> c.startsWith("dev/quarry/bench/")).sorted().toList());
    try (JarFile jar = new JarFile(ProjectFiles.built("quarry-app.jar").toFile())) {
      assertEquals("dev.quarry.cli.Quarry", jar.getManifest().getMainAttributes().getValue("Main-Class"));
    }

    List<String> duplicated = new ArrayList<>();
    String sparkClasspath = Files.readString(ProjectFiles.built("quarry-launch/spark-classpath")).trim();
    for (String entry : sparkClasspath.split(File.pathSeparator)) {
      for (String c : classes(Path.of(entry))) {
        if (classes.contains(c)) {
          duplicated.add(c + " (also in " + entry + ")");
        }
      }
    }
    assertEquals(List.of(), duplicated);
    assertTrue(sparkClasspath.contains("spark-core_2.13-"), "the Spark classpath lacks spark-core: " + sparkClasspath);
  }

  private static Set<String> classes(Path jarFile) throws IOException {
    Set<String> names = new HashSet<>();
    try (JarFile jar = new JarFile(jarFile.toFile())) {
      jar.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class"))
          .forEach(names::add);
    }
    return names;
  }
}
