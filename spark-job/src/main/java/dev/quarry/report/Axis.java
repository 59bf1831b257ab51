package dev.quarry.report;

import java.util.ArrayList;
import java.util.List;

/** A linear scale from [min, max] onto pixels, widened to round tick values (1, 2 or 5 times a power of ten). */
record Axis(double min, double max, double step) {
  private static final int TICKS = 5;

  static Axis of(double low, double high) {
    if (!(high > low)) {
      double pad = Math.max(Math.abs(high) * 0.1, 1);
      low -= pad;
      high += pad;
    }
    double raw = (high - low) / TICKS;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = raw <= magnitude ? magnitude : raw <= 2 * magnitude ? 2 * magnitude : raw <= 5 * magnitude ? 5 * magnitude
        : 10 * magnitude;
    return new Axis(Math.floor(low / step) * step, Math.ceil(high / step) * step, step);
  }

  List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    for (double t = min; t <= max + step / 2; t += step) {
      ticks.add(Math.abs(t) < step / 1e6 ? 0 : t);
    }
    return ticks;
  }

  /** The pixel of {@code value} on a span from {@code from} (at min) to {@code to} (at max). */
  double pixel(double value, double from, double to) {
    return from + (value - min) / (max - min) * (to - from);
  }
}
