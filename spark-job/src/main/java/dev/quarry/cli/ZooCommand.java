package dev.quarry.cli;

import dev.quarry.fs.FileSystems;
import dev.quarry.report.HtmlReport;
import dev.quarry.report.ReportReader;
import dev.quarry.zoo.ZooJob;
import dev.quarry.zoo.ZooLock;
import dev.quarry.zoo.ZooLockedException;
import dev.quarry.zoo.ZooReportFile;
import dev.quarry.zoo.ZooReportTable;
import dev.quarry.zoo.ZooResult;
import dev.quarry.zoo.ZooRunner;
import dev.quarry.zoo.ZooSpec;
import dev.quarry.zoo.ZooSpecFile;
import dev.quarry.zoo.ZooStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quarry zoo}: keeps a whole zoo of models converted into several modes, for cron or Airflow. */
@Command(name = "zoo",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryVersion.class,
    description = {
        "Converts every model x mode of a zoo spec (YAML; see conf/zoo-example.yaml) into <output_root>/<model>/<mode>, "
            + "in one Spark application, the modes of a model in one read of its input. An output that is complete and whose manifest records the same "
            + "conversion (input files, the spec's settings, quarry version) is skipped without reading tensor data; a changed input is "
            + "converted again. A failing model does not stop the others. Prints a report table and writes it to "
            + "<output_root>/quarry-zoo-report.arrow, and a page with plots to "
            + "<output_root>/quarry-zoo-report.html. <output_root>/.quarry-zoo.lock keeps two runs apart.",
        "Exit codes: 0 every output converted or up to date; 1 at least one model x mode failed (the report says "
            + "which and why); 2 error (bad spec or usage, unreadable output root); 3 another zoo run holds the lock."})
final class ZooCommand implements Callable<Integer> {
  static final int EXIT_LOCKED = 3;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SPEC", description = "The zoo spec (YAML; local path or Hadoop URI).")
  String specPath;

  @Mixin
  SparkOptions spark;

  @Option(names = "--stale-lock-hours", paramLabel = "H", defaultValue = "24",
      description = "A lock older than this is taken over (default: ${DEFAULT-VALUE}); one of a dead process on this "
          + "host is taken over at once.")
  long staleLockHours;

  @Override
  public Integer call() throws IOException {
    ZooSpec zoo;
    Path path = new Path(specPath);
    FileSystem fs = FileSystems.forPath(path);
    // said here, as Hadoop's own words differ by file system ("File x does not exist", "x (Is a directory)")
    if (!fs.exists(path)) {
      throw new ParameterException(spec.commandLine(), specPath + ": no such file (SPEC is a zoo spec, YAML)");
    }
    if (fs.getFileStatus(path).isDirectory()) {
      throw new ParameterException(spec.commandLine(), specPath + ": a directory, not a zoo spec file (YAML)");
    }
    try (InputStream in = fs.open(path)) {
      zoo = ZooSpecFile.read(specPath, in);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), ErrorMessages.of(e));
    }
    List<ZooJob> jobs = zoo.jobs();
    PrintWriter out = spec.commandLine().getOut();
    List<ZooResult> results;
    try (ZooLock lock = ZooLock.acquire(zoo.outputRoot(), specPath, Duration.ofHours(staleLockHours));
        JavaSparkContext sc = spark.start("quarry zoo " + specPath)) {
      results = ZooRunner.run(sc, jobs, line -> {
        out.println(line);
        out.flush();
      });
      ZooReportFile.write(zoo.outputRoot(), specPath, results);
      HtmlReport.write(ReportReader.ofZooRun(zoo.outputRoot(), jobs, results),
          new Path(zoo.outputRoot(), ZooReportFile.HTML_FILE_NAME).toString());
    } catch (ZooLockedException e) {
      spec.commandLine().getErr().println("quarry: error: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return EXIT_LOCKED;
    }
    out.print(ZooReportTable.format(results));
    out.flush();
    return results.stream().anyMatch(r -> r.status() == ZooStatus.FAILED) ? Quarry.EXIT_MISMATCH : 0;
  }
}
