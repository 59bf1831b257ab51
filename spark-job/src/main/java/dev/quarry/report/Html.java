package dev.quarry.report;

import java.util.Locale;

/** Text made safe for HTML and SVG, and the number formats a report shows. */
final class Html {
  private Html() {}

  /**
   * {@code s} as text in an element or a quoted attribute: every character that could open a tag,
   * an entity or end an attribute is escaped, so nothing taken from an input (a tensor name, a path)
   * can become markup or script.
   */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    s.codePoints().forEach(c -> {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if (Character.isISOControl(c)) {
            b.append(String.format(Locale.ROOT, "\\u%04x", c)); // shown, not obeyed
          } else {
            b.appendCodePoint(c);
          }
        }
      }
    });
    return b.toString();
  }

  static String bytes(double n) {
    String[] units = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (Math.abs(n) >= 1000 && u < units.length - 1) {
      n /= 1000;
      u++;
    }
    return u == 0 ? String.format(Locale.ROOT, "%.0f B", n) : String.format(Locale.ROOT, "%.3g %s", n, units[u]);
  }

  static String number(String format, Double value) {
    return value == null || value.isNaN() ? "–" : String.format(Locale.ROOT, format, value);
  }
}
