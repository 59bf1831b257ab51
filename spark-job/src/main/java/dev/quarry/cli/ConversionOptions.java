package dev.quarry.cli;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.kernels.ElementType;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.QuantMode;
import dev.quarry.bnb.QuantStorage;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options that shape a conversion, shared by {@code convert} and {@code inspect} (a picocli mixin). */
final class ConversionOptions {
  @Option(names = "--mode", required = true, split = ",", paramLabel = "MODE",
      description = "nf4, nf4-dq, fp4, fp4-dq, int8, int8-training (convert takes several, comma-separated).")
  List<QuantMode> modes;

  @Option(names = "--blocksize", paramLabel = "B", defaultValue = "64",
      description = "4-bit block size, a power of two from 32 to 4096 (default: ${DEFAULT-VALUE}).")
  int blocksize;

  @Option(names = "--skip-modules", split = ",", paramLabel = "PATTERN",
      description = "Modules to keep unquantized: a full name, a dotted suffix or a regular expression.")
  List<String> skipModules = List.of();

  @Option(names = "--include-modules", split = ",", paramLabel = "PATTERN",
      description = "Modules to quantize even where transformers would not (e.g. lm_head).")
  List<String> includeModules = List.of();

  @Option(names = "--all-linear", description = "Quantize every Linear layer, the output head included (Lightning Fabric).")
  boolean allLinear;

  @Option(names = "--block-size-mb", paramLabel = "N", defaultValue = "32",
      description = "Input MiB per Spark task (default: ${DEFAULT-VALUE}).")
  int blockSizeMb;

  @Option(names = "--max-shard-size", paramLabel = "SIZE", defaultValue = "5GB", converter = ByteSizeConverter.class,
      description = "Largest output shard, as transformers' max_shard_size (default: ${DEFAULT-VALUE}).")
  long maxShardBytes;

  @Option(names = "--quant-storage", paramLabel = "DTYPE", defaultValue = "uint8",
      description = "bnb_4bit_quant_storage: the dtype the packed 4-bit codes are stored as, uint8, bfloat16, float16 or "
          + "float32 (the same bytes; FSDP + QLoRA wants the model's dtype; default: ${DEFAULT-VALUE}).")
  QuantStorage quantStorage;

  @Option(names = "--compute-dtype", paramLabel = "DTYPE",
      description = "bnb_4bit_compute_dtype in config.json: float32, bfloat16 or float16 (default: the model's dtype; "
          + "transformers itself writes float32 when it is not given).")
  ElementType computeDtype;

  /** The one mode asked for, or a usage error: only convert converts to several at once. */
  QuantMode mode(CommandSpec spec) {
    if (modes.size() != 1) {
      throw new ParameterException(spec.commandLine(), "--mode takes one mode here, not " + modes.size()
          + " (convert converts to several in one run)");
    }
    return modes.get(0);
  }

  /** The modes asked for, each once, or a usage error. */
  List<QuantMode> modes(CommandSpec spec) {
    for (int i = 0; i < modes.size(); i++) {
      if (modes.indexOf(modes.get(i)) != i) {
        throw new ParameterException(spec.commandLine(), "--mode " + modes.get(i).cliName() + " is given twice");
      }
    }
    return modes;
  }

  /** The options of the one mode asked for, or a usage error (exit 2) naming what is wrong. */
  ConvertOptions toOptions(CommandSpec spec, String input, String output, int partitions) {
    return toOptions(spec, input, output, partitions, mode(spec));
  }

  /** The options of one of the modes asked for, or a usage error (exit 2) naming what is wrong. */
  ConvertOptions toOptions(CommandSpec spec, String input, String output, int partitions, QuantMode mode) {
    try {
      return new ConvertOptions(input, output, mode, blocksize,
          new ModuleRules(allLinear, skipModules, includeModules, null), (long) blockSizeMb << 20, maxShardBytes, partitions)
          .withOutputDtypes(quantStorage, computeDtype);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
