package dev.quarry.convert;

import dev.quarry.kernels.Blocksize;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.QuantMode;

/**
 * One conversion: input (model directory or .safetensors file) and output directory (local path or
 * Hadoop URI), the mode and 4-bit blocksize, module selection, the size of a tensor block (the unit
 * of work), the output shard limit, how many Spark partitions the blocks go to (0: {@link PassPartitions} decides),
 * whether a weight holding NaN or ±inf is kept unquantized instead of failing the run, and whether
 * the completed output of a different conversion in the output directory may be replaced.
 */
public record ConvertOptions(String input, String output, QuantMode mode, int blocksize, ModuleRules rules,
    long blockBytes, long maxShardBytes, int partitions, boolean allowNonFinite, boolean overwrite) {
  public static final long DEFAULT_BLOCK_BYTES = 32L << 20;
  /** transformers' default {@code max_shard_size="5GB"}. */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  public ConvertOptions {
    Blocksize.check(blocksize);
    if (blockBytes < 1 || maxShardBytes < 1 || partitions < 0) {
      throw new IllegalArgumentException("block size and shard size must be positive, partitions not negative");
    }
  }

  /** Non-finite weights are errors and a different conversion's output is never replaced. */
  public ConvertOptions(String input, String output, QuantMode mode, int blocksize, ModuleRules rules,
      long blockBytes, long maxShardBytes, int partitions) {
    this(input, output, mode, blocksize, rules, blockBytes, maxShardBytes, partitions, false, false);
  }

  public static ConvertOptions of(String input, String output, QuantMode mode) {
    return new ConvertOptions(input, output, mode, 64, ModuleRules.TRANSFORMERS_DEFAULTS,
        DEFAULT_BLOCK_BYTES, DEFAULT_MAX_SHARD_BYTES, 0);
  }

  public ConvertOptions withBlockBytes(long bytes) {
    return new ConvertOptions(input, output, mode, blocksize, rules, bytes, maxShardBytes, partitions, allowNonFinite,
        overwrite);
  }

  public ConvertOptions withPartitions(int count) {
    return new ConvertOptions(input, output, mode, blocksize, rules, blockBytes, maxShardBytes, count, allowNonFinite,
        overwrite);
  }

  public ConvertOptions withMaxShardBytes(long bytes) {
    return new ConvertOptions(input, output, mode, blocksize, rules, blockBytes, bytes, partitions, allowNonFinite,
        overwrite);
  }

  public ConvertOptions withRules(ModuleRules r) {
    return new ConvertOptions(input, output, mode, blocksize, r, blockBytes, maxShardBytes, partitions, allowNonFinite,
        overwrite);
  }

  public ConvertOptions withAllowNonFinite(boolean allow) {
    return new ConvertOptions(input, output, mode, blocksize, rules, blockBytes, maxShardBytes, partitions, allow,
        overwrite);
  }

  public ConvertOptions withOverwrite(boolean replace) {
    return new ConvertOptions(input, output, mode, blocksize, rules, blockBytes, maxShardBytes, partitions,
        allowNonFinite, replace);
  }
}
