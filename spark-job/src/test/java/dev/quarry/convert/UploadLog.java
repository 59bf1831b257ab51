package dev.quarry.convert;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a conversion's log says of its multipart uploads: the shards and parts it planned, and for each
 * executor the parts it put and the task attempts that put them.
 */
record UploadLog(int shards, int parts, Map<String, Integer> partsByExecutor, Map<String, Integer> tasksByExecutor) {
  private static final Pattern PLANNED = Pattern.compile("uploading (\\d+) shard\\(s\\) in (\\d+) parts");
  private static final Pattern PUT = Pattern.compile("(\\S+) (\\d+) part\\(s\\) in (\\d+) task\\(s\\)");

  static UploadLog of(List<String> log) {
    String planned = log.stream().filter(l -> PLANNED.matcher(l).find()).findFirst().orElse(null);
    String put = log.stream().filter(l -> l.startsWith("parts put by executor: ")).findFirst().orElse(null);
    assertTrue(planned != null && put != null, "the log says nothing of multipart uploads:\n" + String.join("\n", log));
    Matcher m = PLANNED.matcher(planned);
    m.find();
    Map<String, Integer> parts = new TreeMap<>();
    Map<String, Integer> tasks = new TreeMap<>();
    for (String executor : put.substring("parts put by executor: ".length()).split("; ")) {
      Matcher e = PUT.matcher(executor);
      assertTrue(e.find(), executor);
      parts.put(e.group(1), Integer.parseInt(e.group(2)));
      tasks.put(e.group(1), Integer.parseInt(e.group(3)));
    }
    return new UploadLog(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), parts, tasks);
  }

  int tasks() {
    return tasksByExecutor.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Every shard in several parts, put by as many tasks. */
  void assertSeveralPartsPerShard(int expectedShards) {
    assertTrue(shards == expectedShards, "shards: " + this);
    assertTrue(parts >= 2 * shards, "fewer than two parts per shard: " + this);
    assertTrue(partsByExecutor.values().stream().mapToInt(Integer::intValue).sum() == parts && tasks() == parts,
        "every part put once, each by its own task: " + this);
  }
}
