package dev.quarry.manifest;

import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.kernels.ElementType;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.QuantMode;
import dev.quarry.bnb.QuantStorage;
import java.util.List;

/**
 * The options that decide an output's bytes (the block size of the work and the partitions do
 * not; --allow-non-finite does, it keeps a weight unquantized): the options part of the record of a
 * conversion ({@link ConversionIdentity}), so that a rerun and {@code zoo} can tell whether an output was
 * made the way they now ask, and {@code verify --input} can redo it.
 */
public record ConversionSettings(String mode, int blocksize, boolean allLinear, List<String> skipModules,
    List<String> includeModules, long maxShardBytes, String quantStorage, String computeDtype,
    boolean allowNonFinite) {
  /**
   * @param quantStorage {@code bnb_4bit_quant_storage}; null (a manifest written before the option) reads as uint8
   * @param computeDtype {@code bnb_4bit_compute_dtype} as asked, or null: the model's dtype
   */
  public ConversionSettings {
    skipModules = List.copyOf(skipModules);
    includeModules = List.copyOf(includeModules);
    quantStorage = quantStorage == null ? QuantStorage.UINT8.torchName() : quantStorage;
  }

  public static ConversionSettings of(ConvertOptions o) {
    return new ConversionSettings(o.mode().cliName(), o.blocksize(), o.rules().allLinear(), o.rules().skipModules(),
        o.rules().includeModules(), o.maxShardBytes(), o.quantStorage().torchName(),
        o.computeDtype() == null ? null : o.computeDtype().torchName(), o.allowNonFinite());
  }

  /** Options that convert {@code input} into {@code output} the same way. */
  public ConvertOptions options(String input, String output) {
    return new ConvertOptions(input, output, QuantMode.fromCliName(mode), blocksize,
        new ModuleRules(allLinear, skipModules, includeModules, null), ConvertOptions.DEFAULT_BLOCK_BYTES,
        maxShardBytes, 0).withOutputDtypes(QuantStorage.fromTorchName(quantStorage),
        computeDtype == null ? null : ElementType.fromTorchName(computeDtype)).withAllowNonFinite(allowNonFinite);
  }
}
