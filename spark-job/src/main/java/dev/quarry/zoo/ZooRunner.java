package dev.quarry.zoo;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.ModeOutcome;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.convert.store.OutputStore;
import dev.quarry.convert.PreparedModes;
import dev.quarry.fs.FileSystems;
import dev.quarry.manifest.ConversionIdentity;
import dev.quarry.manifest.ErrorSummary;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestFile;
import dev.quarry.quantize.QuantMode;
import dev.quarry.safetensors.CheckpointException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs every job of a zoo in one Spark application, one model after the other on the same executors.
 * A job whose output is complete and whose manifest records this very conversion ({@link ConversionIdentity}:
 * the input files as they are now, the spec's settings, this quarry version) is skipped (only headers and
 * the manifest are read); an output made from another input, with other settings or by another quarry is
 * deleted and converted again. The modes of a model to convert (with the same settings but the mode) are
 * converted in one read of its input. A failing job is reported and the others go on.
 */
public final class ZooRunner {
  private ZooRunner() {}

  public static List<ZooResult> run(JavaSparkContext sc, List<ZooJob> jobs, Consumer<String> log) {
    Map<List<Object>, List<ZooJob>> byModel = new LinkedHashMap<>();
    for (ZooJob job : jobs) {
      // neither the mode nor the output, which follows from it: what one read serves
      ConvertOptions same = job.options().withMode(QuantMode.NF4, "");
      byModel.computeIfAbsent(List.of(job.model(), same), k -> new ArrayList<>()).add(job);
    }
    Map<ZooJob, ZooResult> results = new HashMap<>();
    byModel.values().forEach(modes -> results.putAll(runModel(sc, modes, log)));
    return jobs.stream().map(results::get).toList();
  }

  /** The modes of one model: those up to date are skipped, the others converted in one read of its input. */
  private static Map<ZooJob, ZooResult> runModel(JavaSparkContext sc, List<ZooJob> modes, Consumer<String> log) {
    long start = System.nanoTime();
    Map<ZooJob, ZooResult> results = new HashMap<>();
    String name = modes.get(0).model();
    InputModel model;
    List<ZooJob> toConvert = new ArrayList<>();
    try {
      Path input = new Path(modes.get(0).options().input());
      FileSystem inFs = FileSystems.forPath(input);
      model = ModelReader.read(inFs, input);
      for (ZooJob job : modes) {
        ConvertOptions o = job.options();
        Path output = new Path(o.output());
        FileSystem fs = FileSystems.forPath(output);
        if (upToDate(fs, output, ConversionIdentity.of(inFs, input, model, o))) {
          log.accept(name + " " + o.mode() + ": up to date");
          results.put(job, result(job, ZooStatus.UP_TO_DATE, model.inputBytes(), fs, output, seconds(start)));
        } else {
          fs.delete(output, true); // a stale complete output would otherwise count as done
          log.accept(name + " " + o.mode() + ": converting " + o.input() + " into " + o.output());
          toConvert.add(job);
        }
      }
    } catch (IOException | RuntimeException e) {
      modes.stream().filter(job -> !results.containsKey(job)).forEach(job -> results.put(job, failed(job, e, start, log)));
      return results;
    }
    PreparedModes prepared = PreparedModes.prepare(toConvert.stream().map(ZooJob::options).toList());
    String prefix = toConvert.size() == 1 ? name + " " + toConvert.get(0).options().mode() + ": " : name + " ";
    List<ModeOutcome> outcomes = prepared.run(prepared.anythingToDo() ? sc : null, line -> log.accept(prefix + line));
    for (int i = 0; i < toConvert.size(); i++) {
      ZooJob job = toConvert.get(i);
      Exception failure = outcomes.get(i).failure();
      if (failure == null) {
        try {
          Path output = new Path(job.options().output());
          results.put(job, result(job, ZooStatus.CONVERTED, model.inputBytes(), FileSystems.forPath(output), output,
              seconds(start)));
        } catch (IOException | RuntimeException e) {
          failure = e;
        }
      }
      if (failure != null) {
        results.put(job, failed(job, failure, start, log));
      }
    }
    return results;
  }

  private static ZooResult failed(ZooJob job, Exception e, long start, Consumer<String> log) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
    log.accept(job.model() + " " + job.options().mode() + ": FAILED: " + message);
    return new ZooResult(job.model(), job.options().mode().cliName(), ZooStatus.FAILED, 0, 0, seconds(start), null, null,
        null, message);
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
