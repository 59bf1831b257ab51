package dev.quarry.convert.inprocess;

import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.ConvertOptions;
import dev.quarry.convert.plan.OutputLayout;
import dev.quarry.convert.plan.OutputTensorPlan;
import dev.quarry.convert.plan.Planner;
import dev.quarry.convert.plan.ShardTask;
import dev.quarry.convert.read.InputModel;
import dev.quarry.convert.read.InputShard;
import dev.quarry.convert.scan.BlockScan;
import dev.quarry.convert.scan.DoubleQuantOffsets;
import dev.quarry.convert.scan.NonFiniteTensors;
import dev.quarry.convert.scan.ScanPass;
import dev.quarry.convert.scan.ScanResult;
import dev.quarry.convert.write.PartBytes;
import dev.quarry.convert.write.PlacedPiece;
import dev.quarry.convert.write.ShardFile;
import dev.quarry.convert.write.ShardParts;
import dev.quarry.convert.write.ShardPlacement;
import dev.quarry.convert.write.UnitWriter;
import dev.quarry.convert.write.UploadPart;
import dev.quarry.convert.write.WriteUnit;
import dev.quarry.convert.write.WrittenPiece;
import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.fs.PositionedFiles;
import dev.quarry.fs.WholeFiles;
import java.io.OutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A conversion of one safetensors file into one safetensors file in this process, without Spark
 * ({@code quarry quantize}): the plan, the scan, the layout, the placement and the block code of a
 * conversion on Spark, so that a fix to any of them lands once. The blocks are computed on a few
 * threads of this process and handed back in plan order ({@link BlocksComputedAhead}), so the first
 * bad value reported is the first in the file, whatever thread found it. The file is written in
 * place where the store takes positioned writes, else streamed in order as one part of the shard
 * ({@link PartBytes}, which computes it piece by piece as a conversion's part tasks do).
 */
public final class InProcessConversion {
  /** How many pieces of work the write pass is cut into per thread: small enough to balance, few enough to reuse buffers. */
  private static final int GROUPS_PER_THREAD = 4;

  /**
   * What was written: the plan as carried out (weights kept unquantized under --allow-non-finite
   * are copies in it), the output's tensors, each weight kept for NaN or ±inf as "'name' (what was
   * found)", and the file's length.
   */
  public record Result(ConversionPlan plan, List<OutputTensorPlan> tensors, List<String> keptNonFinite,
      long fileBytes) {}

  private InProcessConversion() {}

  /**
   * @param shard      the input file (its path as the messages name it) and its header
   * @param o          the mode, blocksize, quant storage, --allow-non-finite and the block size of the work
   *                   (its output and shard limit are not used: everything goes to {@code target})
   * @param allTensors quantize every floating-point tensor, not only the Linear weights
   * @param target     the file to write
   */
  public static Result run(InputShard shard, ConvertOptions o, boolean allTensors, Path target) throws IOException {
    int threads = Runtime.getRuntime().availableProcessors();
    // no manifest: nobody reads the blocks' errors, so they are not measured
    ConversionPlan plan = Planner.plan(new InputModel(null, List.of(shard), List.of(), Map.of()), o, List.of(o.mode()), allTensors, false);
    Map<Integer, ScanResult> scans = scan(plan, o, threads);
    NonFiniteTensors nonFinite = NonFiniteTensors.keepUnquantized(plan, scans, line -> {});
    plan = nonFinite.plan();
    float[] offsets = DoubleQuantOffsets.of(plan, scans);
    OutputLayout planned = OutputLayout.of(plan, o.withMaxShardBytes(Long.MAX_VALUE), offsets);
    List<OutputTensorPlan> tensors = planned.shards().stream().flatMap(s -> s.tensors().stream()).toList();
    OutputLayout layout = new OutputLayout(List.of(new ShardTask(target.getName(), tensors)), planned.sources());
    ShardPlacement placement = ShardPlacement.of(layout, target.getParent(), plan, offsets, scans::get);
    ShardFile file = placement.files().get(0);
    FileSystem fs = FileSystems.forPath(target);
    if (PositionedFiles.supports(fs)) {
      writeInPlace(file, placement.units(), threads);
    } else {
      writeStreamed(fs, target, placement);
    }
    return new Result(plan, tensors, nonFinite.kept(), file.length());
  }

  /** The scan pass where the layout depends on the data, as {@link ScanPass} runs it on Spark. */
  private static Map<Integer, ScanResult> scan(ConversionPlan plan, ConvertOptions o, int threads) throws IOException {
    List<BlocksComputedAhead.Computation<ScanResult>> work = new ArrayList<>();
    for (BlockTask b : ScanPass.blocksToScan(plan, o)) {
      work.add(() -> BlockScan.scan(b, o.allowNonFinite()));
    }
    Map<Integer, ScanResult> results = new HashMap<>();
    for (ScanResult r : inOrder(work, threads)) {
      results.put(r.blockId(), r);
    }
    return results;
  }

  /** The file created at its length with its fixed bytes, then every unit written at its place ({@link UnitWriter}). */
  private static void writeInPlace(ShardFile file, List<WriteUnit> units, int threads) throws IOException {
    PositionedFiles.create(file.path(), file.length());
    try (PositionedFiles files = new PositionedFiles()) {
      for (PlacedPiece p : file.fixed()) {
        files.write(p.file(), p.position(), ByteBuffer.wrap(p.piece().inline()));
      }
    }
    int size = Math.max(1, (units.size() + threads * GROUPS_PER_THREAD - 1) / (threads * GROUPS_PER_THREAD));
    List<BlocksComputedAhead.Computation<List<WrittenPiece>>> work = new ArrayList<>();
    for (int first = 0; first < units.size(); first += size) {
      List<WriteUnit> group = units.subList(first, Math.min(units.size(), first + size));
      work.add(() -> UnitWriter.writeAll(group));
    }
    inOrder(work, threads);
  }

  /**
   * The file as one stream, its bytes computed piece by piece in file order: the whole file is one
   * part ({@link ShardParts}) whose bytes {@link PartBytes} produces. A failure abandons the stream,
   * so that an object store publishes nothing.
   */
  private static void writeStreamed(FileSystem fs, Path target, ShardPlacement placement) throws IOException {
    ShardFile file = placement.files().get(0);
    UploadPart whole = ShardParts.of(placement, Math.max(1, file.length()), Map.of(file.path(), new byte[0])).get(0);
    FSDataOutputStream stream = NamedOutputStream.createData(fs, target, true);
    try (PartBytes bytes = new PartBytes(whole); OutputStream out = NamedOutputStream.wrap(stream, target)) {
      try {
        bytes.transferTo(out);
        bytes.requireComplete();
      } catch (IOException | RuntimeException e) {
        WholeFiles.abandon(stream);
        bytes.rethrowFailure();
        throw e;
      }
    }
  }

  /** The results in the order of {@code work}; the first failure in that order is thrown as it was. */
  private static <T> List<T> inOrder(List<BlocksComputedAhead.Computation<T>> work, int threads) throws IOException {
    List<T> results = new ArrayList<>();
    try (BlocksComputedAhead<T> computed = new BlocksComputedAhead<>(work, threads)) {
      for (int i = 0; i < work.size(); i++) {
        results.add(computed.next());
      }
    }
    return results;
  }
}
