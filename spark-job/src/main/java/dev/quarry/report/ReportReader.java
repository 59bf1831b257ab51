package dev.quarry.report;

import dev.quarry.convert.store.OutputStore;
import dev.quarry.fs.FileSystems;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestFile;
import dev.quarry.safetensors.CheckpointException;
import dev.quarry.zoo.ZooJob;
import dev.quarry.zoo.ZooReportFile;
import dev.quarry.zoo.ZooResult;
import dev.quarry.zoo.ZooStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Gathers a report's entries through the Hadoop file system: the manifest of one conversion
 * output, or every manifest under a zoo root together with the root's zoo report (times and
 * statuses, and the conversions that failed and left no manifest). Only manifests and file sizes
 * are read, never tensor data.
 */
public final class ReportReader {
  private ReportReader() {}

  /** The report of {@code location}: a conversion output, or a directory with outputs below it (a zoo root). */
  public static Report read(String location) throws IOException {
    Path dir = new Path(location);
    FileSystem fs = FileSystems.forPath(dir);
    if (!fs.exists(dir)) {
      throw new CheckpointException(location, null, "no such directory");
    }
    if (fs.exists(new Path(dir, Manifest.FILE_NAME))) {
      return new Report(location, List.of(entry(fs, dir, dir.getName(), null)));
    }
    Map<String, ZooResult> zoo = new LinkedHashMap<>();
    if (fs.exists(new Path(dir, ZooReportFile.FILE_NAME))) {
      for (ZooResult r : ZooReportFile.read(location)) {
        zoo.put(r.model() + "/" + r.mode(), r);
      }
    }
    List<ReportEntry> entries = new ArrayList<>();
    String root = fs.getFileStatus(dir).getPath().toUri().getPath();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
    while (files.hasNext()) {
      Path manifest = files.next().getPath();
      if (manifest.getName().equals(Manifest.FILE_NAME)) {
        Path output = manifest.getParent();
        String relative = output.toUri().getPath().substring(root.length()).replaceFirst("^/", "");
        entries.add(entry(fs, output, relative, zoo.remove(relative)));
      }
    }
    for (ZooResult failed : zoo.values()) {
      entries.add(withoutOutput(new Path(dir, failed.model() + "/" + failed.mode()), failed));
    }
    if (entries.isEmpty()) {
      throw new CheckpointException(location, null, "no " + Manifest.FILE_NAME + " in it or below it, and no "
          + ZooReportFile.FILE_NAME + ": neither a conversion output nor a zoo's output root");
    }
    entries.sort(Comparator.comparing(ReportEntry::model).thenComparing(ReportEntry::mode));
    return new Report(location, entries);
  }

  /** The report of a zoo run that just ended: its jobs' outputs and results, in the spec's order. */
  public static Report ofZooRun(String root, List<ZooJob> jobs, List<ZooResult> results) throws IOException {
    List<ReportEntry> entries = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      Path output = new Path(jobs.get(i).options().output());
      ZooResult r = results.get(i);
      entries.add(r.status() == ZooStatus.FAILED ? withoutOutput(output, r)
          : entry(FileSystems.forPath(output), output, r.model() + "/" + r.mode(), r));
    }
    return new Report(root, entries);
  }

  /**
   * @param relative the output's path below the report's root (a zoo names it model/mode), or its
   *                 name: the model's name, without the mode when that is its last component
   */
  private static ReportEntry entry(FileSystem fs, Path output, String relative, ZooResult zoo) throws IOException {
    Manifest m = ManifestFile.read(fs, new Path(output, Manifest.FILE_NAME));
    String mode = m.settings().mode();
    String model = relative.endsWith("/" + mode) ? relative.substring(0, relative.length() - mode.length() - 1) : relative;
    long inputBytes = zoo != null && zoo.inputBytes() > 0 ? zoo.inputBytes() : m.conversion().shardBytes();
    return new ReportEntry(model, mode, output.toString(), m, inputBytes, ManifestFile.outputBytes(fs, output, m),
        fs.exists(new Path(output, OutputStore.SUCCESS)), zoo);
  }

  private static ReportEntry withoutOutput(Path output, ZooResult failed) {
    return new ReportEntry(failed.model(), failed.mode(), output.toString(), null, failed.inputBytes(),
        failed.outputBytes(), false, failed);
  }
}
