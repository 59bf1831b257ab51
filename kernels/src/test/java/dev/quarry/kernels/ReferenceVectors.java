package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The three reference vector files as one set of tensors, read once. */
final class ReferenceVectors {
  static final int FILES = 3;

  /** Loaded on first use; not a holder class, so a missing file fails every test with its own message. */
  private static ReferenceVectors instance;

  private final Map<String, SafetensorsTestFile.Tensor> tensors = new LinkedHashMap<>();

  static synchronized ReferenceVectors get() {
    if (instance == null) {
      instance = load();
    }
    return instance;
  }

  private static ReferenceVectors load() {
    ReferenceVectors vectors = new ReferenceVectors();
    for (int i = 1; i <= FILES; i++) {
      String name = String.format("vectors/bnb_reference_vectors-%02d-of-%02d.safetensors", i, FILES);
      try {
        SafetensorsTestFile file = new SafetensorsTestFile(ReferenceDir.file(name));
        vectors.tensors.putAll(file.tensors());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read reference file " + name, e);
      }
    }
    return vectors;
  }

  SafetensorsTestFile.Tensor tensor(String name) {
    SafetensorsTestFile.Tensor tensor = tensors.get(name);
    assertNotNull(tensor, () -> "reference tensor " + name + " is missing from the vector files");
    return tensor;
  }

  boolean has(String name) {
    return tensors.containsKey(name);
  }

  /** Prefixes {@code <case>/<nf4|fp4>/bs<B>/<plain|dq>} of every 4-bit case with the given mode, sorted. */
  List<String> fourBitCases(String mode) {
    return caseNames(n -> n.matches("[^/]+/(nf4|fp4)/bs\\d+/" + mode + "/packed"), "/packed");
  }

  /** Input case names that have int8 results. */
  List<String> int8Cases() {
    return caseNames(n -> n.matches("[^/]+/int8/CB"), "/int8/CB");
  }

  private List<String> caseNames(Predicate<String> matches, String suffix) {
    List<String> cases = List.copyOf(tensors.keySet().stream().filter(matches)
        .map(n -> n.substring(0, n.length() - suffix.length()))
        .collect(Collectors.toCollection(TreeSet::new)));
    assertFalse(cases.isEmpty(), "no " + suffix + " cases in the vector files");
    return cases;
  }

  static float[] floats(SafetensorsTestFile.Tensor t) {
    assertEquals("F32", t.dtype(), t.name());
    float[] values = new float[Math.toIntExact(t.elementCount())];
    t.bytes().asFloatBuffer().get(values);
    return values;
  }

  static byte[] bytes(SafetensorsTestFile.Tensor t) {
    ByteBuffer data = t.bytes();
    byte[] values = new byte[data.remaining()];
    data.get(values);
    return values;
  }
}
