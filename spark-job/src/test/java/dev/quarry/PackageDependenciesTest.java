package dev.quarry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.convert.ConversionJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of spark-job depend on each other one way, as the JDK's {@code jdeps} finds it in the
 * compiled classes: no cycle among quarry's packages, each step of a conversion depends only on the
 * steps before it in the data flow (read, plan, scan, write, commit, then the run that orders them),
 * and the manifest does not depend on the conversion's run.
 */
class PackageDependenciesTest {
  /** The conversion's step packages in the order the data flows through them. */
  private static final List<String> STEPS = List.of("dev.quarry.convert.read", "dev.quarry.convert.plan",
      "dev.quarry.convert.scan", "dev.quarry.convert.write", "dev.quarry.convert.commit", "dev.quarry.convert");
  private static final Pattern EDGE = Pattern.compile("^\\s+(dev\\.quarry\\.\\S+)\\s+->\\s+(dev\\.quarry\\.\\S+)\\s");

  /** Package → package it depends on → the class dependencies that make it, "A -> B". */
  private static Map<String, Map<String, List<String>>> packages;

  @BeforeAll
  static void readDependencies() throws URISyntaxException {
    Path classes = Path.of(ConversionJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(Files.isDirectory(classes.resolve("dev/quarry/convert")), "no compiled classes of spark-job at " + classes);
    ToolProvider jdeps = ToolProvider.findFirst("jdeps")
        .orElseThrow(() -> new AssertionError("this JDK has no jdeps (module jdk.jdeps): run the tests on a full JDK"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = jdeps.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        "-verbose:class", "-e", "dev\\.quarry\\..*", classes.toString());
    assertEquals(0, status, "jdeps failed: " + err.toString(StandardCharsets.UTF_8));
    packages = new TreeMap<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      Matcher m = EDGE.matcher(line);
      if (m.find()) {
        String from = packageOf(m.group(1));
        String to = packageOf(m.group(2));
        if (!from.equals(to) && !to.startsWith("dev.quarry.kernels")) { // kernels is a module of its own
          packages.computeIfAbsent(from, p -> new TreeMap<>()).computeIfAbsent(to, p -> new ArrayList<>())
              .add(m.group(1) + " -> " + m.group(2));
        }
      }
    }
    assertTrue(packages.containsKey("dev.quarry.convert"), "jdeps found the packages " + packages.keySet());
  }

  @Test
  void noPackageDependsOnItselfThroughOthers() {
    List<String> cycles = new ArrayList<>();
    for (List<String> cycle : new Cycles(packages).find()) {
      StringBuilder s = new StringBuilder(cycle.toString());
      for (String from : cycle) {
        for (String to : cycle) {
          packages.get(from).getOrDefault(to, List.of()).stream().limit(3).forEach(d -> s.append("\n  ").append(d));
        }
      }
      cycles.add(s.toString());
    }
    assertEquals(List.of(), cycles, "packages that depend on each other");
  }

  @Test
  void eachStepDependsOnlyOnTheStepsBeforeIt() {
    assertTrue(packages.keySet().containsAll(STEPS), "jdeps found the packages " + packages.keySet());
    List<String> backwards = new ArrayList<>();
    for (int i = 0; i < STEPS.size(); i++) {
      for (String later : STEPS.subList(i + 1, STEPS.size())) {
        backwards.addAll(packages.getOrDefault(STEPS.get(i), Map.of()).getOrDefault(later, List.of()));
      }
    }
    assertEquals(List.of(), backwards, "steps that depend on a later step");
  }

  @Test
  void theManifestDoesNotDependOnTheConversionRun() {
    assertEquals(List.of(), packages.getOrDefault("dev.quarry.manifest", Map.of()).getOrDefault("dev.quarry.convert", List.of()));
  }

  private static String packageOf(String className) {
    return className.substring(0, className.lastIndexOf('.'));
  }

  /** The strongly connected components of more than one package (Tarjan's algorithm): each holds a cycle. */
  private static final class Cycles {
    private final Map<String, Map<String, List<String>>> graph;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final List<String> stack = new ArrayList<>();
    private final List<List<String>> found = new ArrayList<>();

    Cycles(Map<String, Map<String, List<String>>> graph) {
      this.graph = graph;
    }

    List<List<String>> find() {
      for (String p : graph.keySet()) {
        if (!index.containsKey(p)) {
          visit(p);
        }
      }
      return found;
    }

    private void visit(String p) {
      index.put(p, index.size());
      low.put(p, index.get(p));
      stack.add(p);
      for (String q : graph.getOrDefault(p, Map.of()).keySet()) {
        if (!index.containsKey(q)) {
          visit(q);
          low.put(p, Math.min(low.get(p), low.get(q)));
        } else if (stack.contains(q)) {
          low.put(p, Math.min(low.get(p), index.get(q)));
        }
      }
      if (low.get(p).equals(index.get(p))) {
        TreeSet<String> component = new TreeSet<>();
        String q;
        do {
          q = stack.remove(stack.size() - 1);
          component.add(q);
        } while (!q.equals(p));
        if (component.size() > 1) {
          found.add(List.copyOf(component));
        }
      }
    }
  }
}
