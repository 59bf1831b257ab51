package dev.quarry.cli;

import dev.quarry.quantize.QuantMode;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code quarry} command: the entry point of {@code scripts/quarry}; subcommands do the work. */
@Command(name = "quarry",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryVersion.class,
    description = "Bit-exact bitsandbytes quantization of model checkpoints (safetensors).",
    subcommands = {ConvertCommand.class, QuantizeCommand.class, VerifyCommand.class, InspectCommand.class,
        DequantizeCommand.class, ZooCommand.class, ReportCommand.class, DemoCommand.class,
        CommandLine.HelpCommand.class})
public final class Quarry implements Runnable {
  /** Exit code of a check that found something wrong ({@code verify}) or of a zoo run where a conversion failed. */
  public static final int EXIT_MISMATCH = 1;
  /** Exit code of every error: bad usage, bad input, failed I/O. */
  public static final int EXIT_ERROR = 2;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  /** A command line with quarry's error reporting: one line on stderr and exit code 2. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Quarry());
    cl.registerConverter(QuantMode.class, ModeConverter.INSTANCE);
    cl.setParameterExceptionHandler((e, args) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println("quarry: error: " + e.getMessage());
      err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
      err.flush();
      return EXIT_ERROR;
    });
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      err.println("quarry: error: " + ErrorMessages.of(e));
      err.flush();
      if (Boolean.getBoolean("quarry.debug")) {
        e.printStackTrace(err);
      }
      return EXIT_ERROR;
    });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
