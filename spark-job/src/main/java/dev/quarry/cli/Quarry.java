package dev.quarry.cli;

import dev.quarry.bnb.QuantStorage;
import dev.quarry.jvm.CompilerDirectives;
import dev.quarry.kernels.ElementType;
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
  /** Exit code of a check that found something wrong ({@code verify}), or of a zoo run or a convert to several modes where a conversion failed. */
  public static final int EXIT_MISMATCH = 1;
  /** Exit code of every error: bad usage, bad input, failed I/O. */
  public static final int EXIT_ERROR = 2;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand; the commands are "
        + commandNames(spec.commandLine()));
  }

  /** A command line with quarry's error reporting: one line on stderr and exit code 2. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Quarry());
    cl.registerConverter(QuantMode.class, ModeConverter.INSTANCE);
    cl.registerConverter(QuantStorage.class, OutputDtypeConverters.Storage.INSTANCE);
    cl.registerConverter(ElementType.class, OutputDtypeConverters.Compute.INSTANCE);
    // picocli's own words name the Java type ("'x' is not an int"); a user reads "whole number"
    cl.registerConverter(Integer.class, value -> (int) wholeNumber(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
    cl.registerConverter(Integer.TYPE, value -> (int) wholeNumber(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
    cl.registerConverter(Long.class, value -> wholeNumber(value, Long.MIN_VALUE, Long.MAX_VALUE));
    cl.registerConverter(Long.TYPE, value -> wholeNumber(value, Long.MIN_VALUE, Long.MAX_VALUE));
    cl.setParameterExceptionHandler((e, args) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println("quarry: error: " + usageError(e));
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

  /** picocli's message, but an argument it could not place said in a user's words, not its parser's. */
  private static String usageError(CommandLine.ParameterException e) {
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().get(0);
      CommandLine cl = e.getCommandLine();
      if (u.isUnknownOption()) {
        return "unknown option '" + first + "' (quarry " + cl.getCommandName() + " --help lists them)";
      }
      if (cl.getCommandSpec().parent() == null) {
        return "unknown command '" + first + "'; the commands are " + commandNames(cl);
      }
      return "unexpected argument '" + first + "'";
    }
    return e.getMessage();
  }

  private static String commandNames(CommandLine cl) {
    return String.join(", ", cl.getSubcommands().keySet());
  }

  private static long wholeNumber(String value, long min, long max) {
    long n;
    try {
      n = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number");
    }
    if (n < min || n > max) {
      throw new CommandLine.TypeConversionException("'" + value + "' is out of range (" + min + " to " + max + ")");
    }
    return n;
  }

  public static void main(String[] args) {
    CompilerDirectives.add();
    System.exit(commandLine().execute(args));
  }
}
