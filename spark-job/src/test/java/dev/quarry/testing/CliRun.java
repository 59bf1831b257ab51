package dev.quarry.testing;

import dev.quarry.cli.Quarry;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The real {@code quarry} command line run in this JVM, its stdout and stderr captured per run. */
public final class CliRun {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Runs {@code quarry args...} and returns its exit code; what it printed replaces the previous run's. */
  public int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine cl = Quarry.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  public String out() {
    return out.toString();
  }

  public String err() {
    return err.toString();
  }
}
