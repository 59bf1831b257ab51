package dev.quarry.cli;

import dev.quarry.fs.FileSystems;
import dev.quarry.verify.OutputVerifier;
import dev.quarry.verify.Problem;
import dev.quarry.verify.VerifyReport;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quarry verify}: an output against its manifest, and optionally against its input. */
@Command(name = "verify",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryVersion.class,
    description = {
        "Checks a conversion output against its quarry-manifest.arrow: _SUCCESS, every shard header, the index, "
            + "config.json's quantization_config, and the CRC32C of every tensor (recomputed on Spark). With --input, "
            + "also converts the input again with the recorded settings and reports every tensor whose bytes differ "
            + "(file, tensor, offset of the first differing byte).",
        "Exit codes: 0 the output verifies; 1 something does not match (each problem is printed); 2 error (bad "
            + "usage, unreadable files)."})
final class VerifyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "OUT", description = "The output directory to check.")
  String output;

  @Option(names = "--input", paramLabel = "MODEL", description = "The model it was converted from: re-derive and compare.")
  String input;

  @Option(names = "--scratch", paramLabel = "DIR",
      description = "Where --input converts again (default: _verify/ inside the output; removed afterwards).")
  String scratch;

  @Mixin
  SparkOptions spark;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    // a path that is no output at all is an error (exit 2), not an output with problems (exit 1)
    Path dir = new Path(output);
    FileSystem fs = FileSystems.forPath(dir);
    if (!fs.exists(dir)) {
      throw new FileNotFoundException(output + ": no such directory");
    }
    if (!fs.getFileStatus(dir).isDirectory()) {
      throw new FileNotFoundException(output + ": not a directory (OUT is a conversion's output directory)");
    }
    VerifyReport report;
    try (JavaSparkContext sc = spark.start("quarry verify")) {
      report = new OutputVerifier(sc, output).verify(input, scratch);
    }
    for (Problem p : report.problems()) {
      out.println("MISMATCH " + p.describe());
    }
    out.printf("%s: %d tensors, %d bytes checked%s: %s%n", output, report.tensors(), report.bytes(),
        report.rederived() ? " and re-derived from " + input : "",
        report.ok() ? "OK" : report.problems().size() + " problem(s)");
    out.flush();
    return report.ok() ? 0 : Quarry.EXIT_MISMATCH;
  }
}
