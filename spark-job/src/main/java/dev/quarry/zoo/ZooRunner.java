package dev.quarry.zoo;

import dev.quarry.convert.ConversionJob;
import dev.quarry.convert.ConvertOptions;
import dev.quarry.convert.InputModel;
import dev.quarry.convert.ModelReader;
import dev.quarry.convert.OutputStore;
import dev.quarry.fs.FileSystems;
import dev.quarry.manifest.ConversionIdentity;
import dev.quarry.manifest.ErrorSummary;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestFile;
import dev.quarry.safetensors.CheckpointException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs every job of a zoo in one Spark application, one after the other on the same executors. A
 * job whose output is complete and whose manifest records this very conversion ({@link ConversionIdentity}:
 * the input files as they are now, the spec's settings, this quarry version) is skipped (only headers and
 * the manifest are read); an output made from another input, with other settings or by another quarry is
 * deleted and converted again. A failing job is reported and the
 * others go on.
 */
public final class ZooRunner {
  private ZooRunner() {}

  public static List<ZooResult> run(JavaSparkContext sc, List<ZooJob> jobs, Consumer<String> log) {
    List<ZooResult> results = new ArrayList<>();
    for (ZooJob job : jobs) {
      long start = System.nanoTime();
      ConvertOptions o = job.options();
      try {
        Path input = new Path(o.input());
        FileSystem inFs = FileSystems.forPath(input);
        InputModel model = ModelReader.read(inFs, input);
        ConversionIdentity identity = ConversionIdentity.of(inFs, input, model, o);
        Path output = new Path(o.output());
        FileSystem fs = FileSystems.forPath(output);
        ZooStatus status = upToDate(fs, output, identity) ? ZooStatus.UP_TO_DATE : ZooStatus.CONVERTED;
        if (status == ZooStatus.CONVERTED) {
          fs.delete(output, true); // a stale complete output would otherwise count as done
          log.accept(job.model() + " " + o.mode() + ": converting " + o.input() + " into " + o.output());
          ConversionJob.run(sc, o, line -> log.accept(job.model() + " " + o.mode() + ": " + line));
        } else {
          log.accept(job.model() + " " + o.mode() + ": up to date");
        }
        results.add(result(job, status, model.inputBytes(), fs, output, seconds(start)));
      } catch (IOException | RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
        log.accept(job.model() + " " + o.mode() + ": FAILED: " + message);
        results.add(new ZooResult(job.model(), o.mode().cliName(), ZooStatus.FAILED, 0, 0, seconds(start), null, null,
            null, message));
      }
    }
    return results;
  }

  /** Whether the output is complete and its manifest records this very conversion (input files, options, version). */
  private static boolean upToDate(FileSystem fs, Path output, ConversionIdentity identity) throws IOException {
    Path manifest = new Path(output, Manifest.FILE_NAME);
    if (!fs.exists(new Path(output, OutputStore.SUCCESS)) || !fs.exists(manifest)) {
      return false;
    }
    try {
      return ManifestFile.read(fs, manifest).conversion().equals(identity);
    } catch (CheckpointException e) {
      return false; // an earlier quarry's manifest, which recorded its conversion in another form: converted again
    }
  }

  private static ZooResult result(ZooJob job, ZooStatus status, long inputBytes, FileSystem fs, Path output,
      double seconds) throws IOException {
    Manifest m = ManifestFile.read(fs, new Path(output, Manifest.FILE_NAME));
    long outputBytes = ManifestFile.outputBytes(fs, output, m);
    ErrorSummary e = ErrorSummary.of(m);
    return new ZooResult(job.model(), job.options().mode().cliName(), status, inputBytes, outputBytes, seconds,
        e.maxAbsError(), e.minSqnrDb(), e.meanSqnrDb(), null);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
