package dev.quarry.report;

import java.util.Locale;

/** SVG elements as text; every text and tooltip goes through {@link Html#escape}. */
final class Svg {
  private Svg() {}

  /** The start of a plot of the given size; the caller appends its elements and {@code </svg>}. */
  static String open(String id, int width, int height) {
    return String.format(Locale.ROOT, "<svg id=\"%s\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
        + "height=\"%d\" viewBox=\"0 0 %d %d\">", id, width, height, width, height);
  }

  /** A flat rectangle (crisp edges: its colour is exact in a screenshot), with a tooltip when {@code title} is not null. */
  static String rect(double x, double y, double w, double h, String fill, String title) {
    String shape = String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
        + "shape-rendering=\"crispEdges\"", x, y, Math.max(w, 0), Math.max(h, 0), fill);
    return title == null ? shape + "/>" : shape + "><title>" + Html.escape(title) + "</title></rect>";
  }

  static String line(double x1, double y1, double x2, double y2, String stroke) {
    return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", x1, y1, x2,
        y2, stroke);
  }

  static String text(double x, double y, String anchor, String text) {
    return text(x, y, anchor, text, null);
  }

  static String text(double x, double y, String anchor, String text, String transform) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>", x, y, anchor,
        transform == null ? "" : " transform=\"" + transform + "\"", Html.escape(text));
  }
}
