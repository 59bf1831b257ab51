package dev.quarry.cli;

import dev.quarry.report.HtmlReport;
import dev.quarry.report.Report;
import dev.quarry.report.ReportReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quarry report}: one HTML page of what a conversion or a whole zoo came to. */
@Command(name = "report",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryVersion.class,
    description = {
        "Writes one self-contained HTML page (no network needed to view it) about a conversion output, or about "
            + "every output under a zoo's output root: the table of outputs, per-layer SQNR and max |error| for each "
            + "mode, compression, what was kept unquantized and why, and time per model (from the root's "
            + "quarry-zoo-report.arrow). Reads only the manifests, the zoo report and file sizes.",
        "Exit codes: 0 written; 2 error (no manifest found, unreadable file)."})
final class ReportCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "OUTPUT_OR_ZOO_ROOT",
      description = "A conversion output, or a directory with outputs below it (local path or Hadoop URI).")
  String location;

  @Option(names = "--html", required = true, paramLabel = "FILE", description = "The HTML file to write (replaced).")
  String html;

  @Override
  public Integer call() throws IOException {
    Report report = ReportReader.read(location);
    HtmlReport.write(report, html);
    PrintWriter out = spec.commandLine().getOut();
    out.println("wrote " + html + ": " + report.entries().size() + " model x mode output(s) of " + location);
    out.flush();
    return 0;
  }
}
