package dev.quarry.inspect;

import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.ModelReader;
import dev.quarry.convert.plan.OutputLayout;
import dev.quarry.convert.plan.Planner;
import dev.quarry.fs.FileSystems;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * A conversion planned and laid out but not run: the model's headers are read, nothing else, and
 * nothing is written. The output size is exact except under double quantization, where each
 * weight's quant_state JSON prints its nested_offset (a mean over the data) in a length the plan
 * cannot know: the layout is then made with the shortest offset text ("0.0") and the longest (22
 * characters), which bound the real size.
 */
public record DryRun(InputModel model, ConversionPlan plan, OutputLayout layout, OutputLayout longestLayout) {
  /** The longest Python repr of a float32 as a double. */
  static final float LONGEST_OFFSET = Float.MIN_NORMAL;

  public static DryRun of(ConvertOptions o) throws IOException {
    Path input = new Path(o.input());
    InputModel model = ModelReader.read(FileSystems.forPath(input), input);
    ConversionPlan plan = Planner.plan(model, o);
    float[] shortest = new float[plan.tensors().size()];
    float[] longest = new float[plan.tensors().size()];
    Arrays.fill(longest, LONGEST_OFFSET);
    return new DryRun(model, plan, OutputLayout.of(plan, o, shortest),
        OutputLayout.of(plan, o, longest));
  }

  /** Bytes of the output shards; under double quantization the smallest they can be. */
  public long outputBytes() {
    return layout.shardFileBytes();
  }

  /** The largest the output shards can be (equal to {@link #outputBytes()} without double quantization). */
  public long maxOutputBytes() {
    return longestLayout.shardFileBytes();
  }
}
