package dev.quarry.convert.write;

import dev.quarry.convert.plan.Piece;
import dev.quarry.convert.plan.Planner;
import dev.quarry.spark.ProgressItem;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One read of the input in the quantize-and-write pass: the {@link WriteUnit}s of every mode of the
 * run that need the same input bytes (the same block of work, or the same copied tensor), each with
 * the index of its mode's output in the run. A conversion to one mode has one unit per read.
 */
record ReadUnit(List<Integer> outputs, List<WriteUnit> units) implements Serializable, ProgressItem {
  private static final long serialVersionUID = 1L;

  ReadUnit {
    outputs = List.copyOf(outputs);
    units = List.copyOf(units);
  }

  /**
   * The units of every output grouped by the input they read, in the order of the first output's
   * units. The planner cuts every mode of a run into the same blocks ({@link Planner#plan}), so the
   * same block id is the same input elements in each.
   *
   * @param unitsByOutput each output's units, by its index in the run
   */
  static List<ReadUnit> of(Map<Integer, List<WriteUnit>> unitsByOutput) {
    Map<Object, ReadUnit> reads = new LinkedHashMap<>();
    unitsByOutput.forEach((output, units) -> {
      for (WriteUnit u : units) {
        reads.merge(inputOf(u), new ReadUnit(List.of(output), List.of(u)), ReadUnit::plus);
      }
    });
    return new ArrayList<>(reads.values());
  }

  /** What a unit reads: its block's id, or the input range of a copied tensor. */
  private static Object inputOf(WriteUnit u) {
    if (u.block() != null) {
      return u.block().blockId();
    }
    Piece p = u.pieces().get(0).piece();
    return List.of(p.path(), p.offset(), p.length());
  }

  private ReadUnit plus(ReadUnit other) {
    List<Integer> o = new ArrayList<>(outputs);
    List<WriteUnit> u = new ArrayList<>(units);
    o.addAll(other.outputs);
    u.addAll(other.units);
    return new ReadUnit(o, u);
  }

  /** Whether the units copy an input range (else they compute a block). */
  boolean copies() {
    return units.get(0).block() == null;
  }

  @Override
  public int tensorId() {
    return units.get(0).tensorId();
  }

  @Override
  public long inputBytes() {
    return units.get(0).inputBytes();
  }
}
