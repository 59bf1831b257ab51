package dev.quarry.convert.write;

import dev.quarry.convert.plan.BlockTask;
import dev.quarry.convert.plan.ConversionPlan;
import dev.quarry.convert.plan.OutputLayout;
import dev.quarry.convert.plan.OutputTensorPlan;
import dev.quarry.convert.plan.Piece;
import dev.quarry.convert.plan.ShardTask;
import dev.quarry.convert.scan.ScanResult;
import dev.quarry.kernels.ExactSum;
import dev.quarry.safetensors.SafetensorsLayout;
import dev.quarry.safetensors.TensorEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.hadoop.fs.Path;

/**
 * Every output byte's final place, from the layout alone: each shard file with its length and the
 * bytes no block computes, and the units of the quantize-and-write pass, each block with the
 * positions of its sections (in the shards of the tensors they belong to) and each copied tensor
 * with its position. A safetensors file is its 8-byte header length, the header, then the tensors'
 * data in the layout's order ({@link SafetensorsLayout}), each tensor its pieces in order.
 */
public record ShardPlacement(List<ShardFile> files, List<WriteUnit> units) {
  /**
   * @param scanned the scan pass's result of each block id (null for a block it did not scan, and
   *                when there was no scan)
   */
  public static ShardPlacement of(OutputLayout layout, Path outputDir, ConversionPlan plan, float[] offsets,
      IntFunction<ScanResult> scanned) {
    List<ShardFile> files = new ArrayList<>();
    Map<Integer, List<PlacedPiece>> byBlock = new LinkedHashMap<>();
    List<WriteUnit> copies = new ArrayList<>();
    for (ShardTask shard : layout.shards()) {
      String path = new Path(outputDir, shard.fileName()).toString();
      Map<String, OutputTensorPlan> byName = new LinkedHashMap<>();
      shard.tensors().forEach(t -> byName.put(t.name(), t));
      SafetensorsLayout file = SafetensorsLayout.of(shard.tensors().stream().map(OutputTensorPlan::spec).toList(),
          SafetensorsLayout.PYTORCH_METADATA);
      List<PlacedPiece> fixed = new ArrayList<>();
      fixed.add(new PlacedPiece(Piece.ofBytes(file.fileStart()), path, 0));
      for (TensorEntry entry : file.tensors()) {
        long position = file.dataStart() + entry.begin();
        for (Piece p : byName.get(entry.name()).pieces()) {
          PlacedPiece placed = new PlacedPiece(p, path, position);
          if (p.inline() != null) {
            fixed.add(placed);
          } else if (p.block() != null) {
            byBlock.computeIfAbsent(p.block().blockId(), id -> new ArrayList<>()).add(placed);
          } else {
            copies.add(WriteUnit.copy(layout.sources().get(entry.name()).id(), placed));
          }
          position += p.length();
        }
      }
      files.add(new ShardFile(path, file.fileLength(), fixed));
    }
    List<WriteUnit> units = new ArrayList<>();
    for (BlockTask b : plan.blocks()) {
      ScanResult scan = scanned.apply(b.blockId());
      ExactSum sum = scan == null ? null : scan.absmaxSum();
      List<PlacedPiece> pieces = byBlock.get(b.blockId());
      pieces.sort((x, y) -> x.piece().section().compareTo(y.piece().section()));
      units.add(new WriteUnit(b.tensorId(), b, pieces, offsets[b.tensorId()], sum, scan != null));
    }
    units.addAll(copies);
    // in file order, so that shards complete one after another and a killed run leaves whole shards
    // a rerun keeps (ShardCompletions), not every shard waiting for its copied tensors at the end
    Map<String, Integer> fileOrder = new LinkedHashMap<>();
    files.forEach(f -> fileOrder.put(f.path(), fileOrder.size()));
    units.sort(Comparator.<WriteUnit>comparingInt(u -> fileOrder.get(u.pieces().get(0).file()))
        .thenComparingLong(u -> u.pieces().get(0).position()));
    return new ShardPlacement(files, units);
  }

  /** The computed and copied pieces (not the fixed bytes) of each shard that has any, by shard path, in file order. */
  public Map<String, List<PlacedPiece>> computedPiecesByFile() {
    Map<String, List<PlacedPiece>> byFile = new HashMap<>();
    for (WriteUnit u : units) {
      u.pieces().forEach(p -> byFile.computeIfAbsent(p.file(), f -> new ArrayList<>()).add(p));
    }
    byFile.values().forEach(pieces -> pieces.sort(Comparator.comparingLong(PlacedPiece::position)));
    return byFile;
  }

  /**
   * This placement without the shards at {@code kept} (paths): their files, and their pieces from the
   * units. A block with a section in a kept shard and another elsewhere is still computed, and writes
   * only the other.
   */
  public ShardPlacement without(Set<String> kept) {
    List<WriteUnit> remaining = new ArrayList<>();
    for (WriteUnit u : units) {
      List<PlacedPiece> pieces = u.pieces().stream().filter(p -> !kept.contains(p.file())).toList();
      if (!pieces.isEmpty()) {
        remaining.add(new WriteUnit(u.tensorId(), u.block(), pieces, u.offset(), u.scannedSum(), u.scanned()));
      }
    }
    return new ShardPlacement(files.stream().filter(f -> !kept.contains(f.path())).toList(), remaining);
  }
}
