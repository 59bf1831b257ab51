package dev.quarry.report;

import java.util.List;
import java.util.Locale;

/**
 * One figure per tensor of a model, one series per mode, as an SVG: a square mark for each
 * quantized weight (its name and value in the mark's tooltip), in manifest order along x.
 */
final class LayerChart {
  private static final int WIDTH = 960;
  private static final int HEIGHT = 250;
  private static final int LEFT = 70;
  private static final int RIGHT = 150;
  private static final int TOP = 14;
  private static final int BOTTOM = 34;

  /** A mode's values, NaN where it has none (a tensor it kept, or an infinite SQNR). */
  record Series(String label, String colour, double[] values) {}

  private LayerChart() {}

  static String svg(String id, String background, String yLabel, String format, List<String> names, List<Series> series) {
    double low = Double.POSITIVE_INFINITY;
    double high = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double v : s.values()) {
        if (Double.isFinite(v)) {
          low = Math.min(low, v);
          high = Math.max(high, v);
        }
      }
    }
    Axis y = Axis.of(low == Double.POSITIVE_INFINITY ? 0 : Math.min(low, 0), high == Double.NEGATIVE_INFINITY ? 1 : high);
    int plotRight = WIDTH - RIGHT;
    int plotBottom = HEIGHT - BOTTOM;
    StringBuilder b = new StringBuilder();
    b.append(Svg.open(id, WIDTH, HEIGHT));
    b.append(Svg.rect(LEFT, TOP, plotRight - LEFT, plotBottom - TOP, background, null));
    for (double t : y.ticks()) {
      double py = y.pixel(t, plotBottom, TOP);
      b.append(Svg.line(LEFT, py, plotRight, py, "#ffffff"));
      b.append(Svg.text(LEFT - 6, py + 4, "end", String.format(Locale.ROOT, format, t)));
    }
    b.append(Svg.text(14, (TOP + plotBottom) / 2.0, "middle", yLabel, "rotate(-90 14 " + (TOP + plotBottom) / 2 + ")"));
    b.append(Svg.text((LEFT + plotRight) / 2.0, HEIGHT - 8, "middle",
        names.size() + " quantized weights in manifest order (hover a mark for its name)"));
    double slot = (plotRight - LEFT) / (double) Math.max(1, names.size());
    double mark = Math.max(2, Math.min(7, slot * 0.6));
    for (int s = 0; s < series.size(); s++) {
      Series one = series.get(s);
      for (int i = 0; i < one.values().length; i++) {
        double v = one.values()[i];
        if (Double.isFinite(v)) {
          double px = LEFT + (i + 0.5) * slot;
          double py = y.pixel(v, plotBottom, TOP);
          b.append(Svg.rect(px - mark / 2, py - mark / 2, mark, mark, one.colour(),
              names.get(i) + " (" + one.label() + "): " + String.format(Locale.ROOT, format, v)));
        }
      }
      b.append(Svg.rect(plotRight + 14, TOP + 6 + s * 18, 10, 10, one.colour(), null));
      b.append(Svg.text(plotRight + 30, TOP + 15 + s * 18, "start", one.label()));
    }
    return b.append("</svg>").toString();
  }
}
