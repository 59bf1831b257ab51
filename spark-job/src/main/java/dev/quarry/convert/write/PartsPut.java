package dev.quarry.convert.write;

import dev.quarry.ByteUnits;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Who put the parts of the shards' uploads: for the log, where a user (and a test) sees that every executor wrote. */
final class PartsPut {
  private PartsPut() {}

  /** For each executor: its parts, the task attempts that put them, and their bytes. */
  static String byExecutor(List<PutPart> put) {
    Map<String, List<PutPart>> byExecutor = new TreeMap<>(put.stream().collect(Collectors.groupingBy(PutPart::executor)));
    return byExecutor.entrySet().stream().map(e -> String.format("%s %d part(s) in %d task(s), %s", e.getKey(),
            e.getValue().size(), e.getValue().stream().mapToLong(PutPart::task).distinct().count(),
            ByteUnits.size(e.getValue().stream().mapToLong(PutPart::length).sum())))
        .collect(Collectors.joining("; "));
  }
}
