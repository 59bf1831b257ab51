package dev.quarry.report;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Horizontal bars as an SVG, one row per model x mode: each row holds one or more bars one above
 * the other (input and output bytes), each bar stacked from segments (tensors by why they were kept).
 */
final class BarChart {
  private static final int WIDTH = 960;
  private static final int LEFT = 280;
  private static final int RIGHT = 110;
  private static final int TOP = 10;
  private static final int BOTTOM = 40;
  private static final int BAR = 12;
  private static final int GAP = 10;
  private static final int LABEL_CHARS = 40;

  record Segment(double value, String colour, String title) {}

  record Bar(List<Segment> segments) {
    double total() {
      return segments.stream().mapToDouble(Segment::value).sum();
    }
  }

  /** A row: its label, its bars, and a note right of them (e.g. the compression ratio). */
  record Row(String label, List<Bar> bars, String note) {}

  private BarChart() {}

  static String svg(String id, String background, String xLabel, DoubleFunction<String> tick, List<Row> rows) {
    double max = rows.stream().flatMap(r -> r.bars().stream()).mapToDouble(Bar::total).max().orElse(1);
    Axis x = Axis.of(0, max);
    int plotRight = WIDTH - RIGHT;
    int plotBottom = TOP;
    for (Row r : rows) {
      plotBottom += r.bars().size() * BAR + GAP;
    }
    plotBottom += GAP;
    int height = plotBottom + BOTTOM;
    StringBuilder b = new StringBuilder();
    b.append(Svg.open(id, WIDTH, height));
    b.append(Svg.rect(LEFT, TOP, plotRight - LEFT, plotBottom - TOP, background, null));
    for (double t : x.ticks()) {
      double px = x.pixel(t, LEFT, plotRight);
      b.append(Svg.line(px, TOP, px, plotBottom, "#ffffff"));
      b.append(Svg.text(px, plotBottom + 14, "middle", tick.apply(t)));
    }
    b.append(Svg.text((LEFT + plotRight) / 2.0, height - 8, "middle", xLabel));
    double y = TOP + GAP;
    for (Row r : rows) {
      double rowHeight = r.bars().size() * BAR;
      String label = r.label().length() > LABEL_CHARS ? "…" + r.label().substring(r.label().length() - LABEL_CHARS + 1)
          : r.label();
      b.append(Svg.text(LEFT - 8, y + rowHeight / 2 + 4, "end", label));
      for (Bar bar : r.bars()) {
        double from = LEFT;
        for (Segment s : bar.segments()) {
          double width = x.pixel(s.value(), LEFT, plotRight) - LEFT; // the axis starts at 0
          b.append(Svg.rect(from, y, width, BAR - 2, s.colour(), s.title()));
          from += width;
        }
        y += BAR;
      }
      if (r.note() != null) {
        b.append(Svg.text(plotRight + 8, y - rowHeight / 2 + 4, "start", r.note()));
      }
      y += GAP;
    }
    return b.append("</svg>").toString();
  }
}
