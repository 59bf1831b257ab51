package dev.quarry.convert.plan;

import dev.quarry.kernels.Blocksize;
import dev.quarry.kernels.ElementType;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.QuantMode;
import dev.quarry.bnb.QuantStorage;
import dev.quarry.spark.PassPartitions;
import org.apache.hadoop.fs.Path;

/**
 * One conversion: input (model directory or .safetensors file) and output directory (local path or
 * Hadoop URI), the mode and 4-bit blocksize, module selection, the size of a tensor block (the unit
 * of work), the output shard limit, how many Spark partitions the blocks go to (0: {@link PassPartitions} decides),
 * whether a weight holding NaN or ±inf is kept unquantized instead of failing the run, whether
 * the completed output of a different conversion in the output directory may be replaced, the dtype
 * the packed 4-bit codes are stored as ({@code bnb_4bit_quant_storage}) and the
 * {@code bnb_4bit_compute_dtype} written into config.json (null: the model's own dtype, as quarry has
 * always written; transformers itself writes float32 when it is not given).
 */
public record ConvertOptions(String input, String output, QuantMode mode, int blocksize, ModuleRules rules,
    long blockBytes, long maxShardBytes, int partitions, boolean allowNonFinite, boolean overwrite,
    QuantStorage quantStorage, ElementType computeDtype) {
  public static final long DEFAULT_BLOCK_BYTES = 32L << 20;
  /** transformers' default {@code max_shard_size="5GB"}. */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  public ConvertOptions {
    Blocksize.check(blocksize);
    if (blockBytes < 1 || maxShardBytes < 1 || partitions < 0) {
      throw new IllegalArgumentException("block size and shard size must be positive, partitions not negative");
    }
    if (quantStorage == null) {
      throw new IllegalArgumentException("no quant storage");
    }
  }

  /**
   * Non-finite weights are errors, a different conversion's output is never replaced, the codes are
   * stored as uint8 and the compute dtype is the model's.
   */
  public ConvertOptions(String input, String output, QuantMode mode, int blocksize, ModuleRules rules,
      long blockBytes, long maxShardBytes, int partitions) {
    this(input, output, mode, blocksize, rules, blockBytes, maxShardBytes, partitions, false, false,
        QuantStorage.UINT8, null);
  }

  public static ConvertOptions of(String input, String output, QuantMode mode) {
    return new ConvertOptions(input, output, mode, 64, ModuleRules.TRANSFORMERS_DEFAULTS,
        DEFAULT_BLOCK_BYTES, DEFAULT_MAX_SHARD_BYTES, 0);
  }

  /**
   * The output directory of {@code mode} in a run of several modes: {@code <parent>/<mode>}, as
   * {@code zoo} names its outputs ({@code <output_root>/<model>/<mode>}).
   */
  public static String modeOutput(String parent, QuantMode mode) {
    return new Path(parent, mode.cliName()).toString();
  }

  /** The same conversion to {@code m}, into {@code out}. */
  public ConvertOptions withMode(QuantMode m, String out) {
    return new ConvertOptions(input, out, m, blocksize, rules, blockBytes, maxShardBytes, partitions, allowNonFinite,
        overwrite, quantStorage, computeDtype);
  }

  public ConvertOptions withBlockBytes(long bytes) {
    return new ConvertOptions(input, output, mode, blocksize, rules, bytes, maxShardBytes, partitions, allowNonFinite,
        overwrite, quantStorage, computeDtype);
  }

  public ConvertOptions withPartitions(int count) {
    return new ConvertOptions(input, output, mode, blocksize, rules, blockBytes, maxShardBytes, count, allowNonFinite,
        overwrite, quantStorage, computeDtype);
  }

  public ConvertOptions withMaxShardBytes(long bytes) {
    return new ConvertOptions(input, output, mode, blocksize, rules, blockBytes, bytes, partitions, allowNonFinite,
        overwrite, quantStorage, computeDtype);
  }

  public ConvertOptions withRules(ModuleRules r) {
    return new ConvertOptions(input, output, mode, blocksize, r, blockBytes, maxShardBytes, partitions, allowNonFinite,
        overwrite, quantStorage, computeDtype);
  }

  public ConvertOptions withAllowNonFinite(boolean allow) {
    return new ConvertOptions(input, output, mode, blocksize, rules, blockBytes, maxShardBytes, partitions, allow,
        overwrite, quantStorage, computeDtype);
  }

  public ConvertOptions withOverwrite(boolean replace) {
    return new ConvertOptions(input, output, mode, blocksize, rules, blockBytes, maxShardBytes, partitions,
        allowNonFinite, replace, quantStorage, computeDtype);
  }

  /** @param compute null: the model's dtype */
  public ConvertOptions withOutputDtypes(QuantStorage storage, ElementType compute) {
    return new ConvertOptions(input, output, mode, blocksize, rules, blockBytes, maxShardBytes, partitions,
        allowNonFinite, overwrite, storage, compute);
  }
}
