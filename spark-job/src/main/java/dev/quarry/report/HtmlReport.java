package dev.quarry.report;

import dev.quarry.QuarryRelease;
import dev.quarry.fs.FileSystems;
import dev.quarry.fs.NamedOutputStream;
import dev.quarry.manifest.ErrorSummary;
import dev.quarry.manifest.ManifestRow;
import dev.quarry.manifest.TensorError;
import dev.quarry.quantize.KeepReason;
import dev.quarry.zoo.ZooReportFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A report as one self-contained HTML page: inline CSS and SVG drawn here, no script, nothing
 * fetched (a Content-Security-Policy forbids both, should an escape ever be missed). Every string
 * from an input (paths, model and tensor names, messages) is escaped. Sections: the table of
 * outputs, per-layer SQNR and max |error| of each model (a series per mode), compression, what was
 * kept unquantized and why, time per model (zoo), and every tensor of every output.
 */
public final class HtmlReport {
  private static final String CSS = String.join("\n",
      "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}",
      "h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}",
      "h3{font-size:15px;margin:14px 0 4px}table{border-collapse:collapse;margin:6px 0}",
      "th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}",
      "td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}",
      "svg.plot{display:block;margin:4px 0}svg text{font:11px system-ui,sans-serif;fill:#333}",
      ".legend span.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}",
      "#outputs{font-size:12px;width:100%}td.path{word-break:break-all;width:25%}.failed{color:#b00}.muted{color:#777}");

  private HtmlReport() {}

  /** Writes the page to {@code file} (a local path or Hadoop URI), replacing it. */
  public static void write(Report report, String file) throws IOException {
    Path path = new Path(file);
    FileSystem fs = FileSystems.forPath(path);
    try (OutputStream out = NamedOutputStream.create(fs, path, true)) {
      out.write(html(report).getBytes(StandardCharsets.UTF_8));
    }
  }

  public static String html(Report report) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
        .append("<title>quarry report: ").append(Html.escape(report.location())).append("</title><style>").append(CSS)
        .append("</style></head><body>\n<h1>quarry report</h1><p class=\"muted\">")
        .append(Html.escape(report.location())).append(" · ").append(report.entries().size())
        .append(" model × mode output(s) · quarry ").append(Html.escape(QuarryRelease.version())).append("</p>\n");
    outputsTable(b, report);
    layerCharts(b, report, "sqnr", "SQNR per layer (dB, higher is better)", Palette.SQNR_BACKGROUND, "SQNR dB", "%.1f",
        TensorError::sqnrDb);
    layerCharts(b, report, "max-error", "Max |error| per layer (lower is better)", Palette.ERROR_BACKGROUND,
        "max |error|", "%.3g", TensorError::maxAbsError);
    compression(b, report);
    kept(b, report);
    time(b, report);
    tensors(b, report);
    return b.append("</body></html>\n").toString();
  }

  private static void outputsTable(StringBuilder b, Report report) {
    b.append("<h2>Outputs</h2><table id=\"outputs\"><thead><tr><th>model</th><th>mode</th><th>status</th>")
        .append("<th>quantized or cast</th><th>kept</th><th>input bytes</th><th>output bytes</th><th>ratio</th>")
        .append("<th>min SQNR dB</th><th>mean SQNR dB</th><th>max |error|</th><th>seconds</th><th>output or failure</th>")
        .append("</tr></thead><tbody>\n");
    for (ReportEntry e : report.entries()) {
      ErrorSummary s = e.manifest() == null ? new ErrorSummary(null, null, null) : ErrorSummary.of(e.manifest());
      boolean failed = e.zoo() != null && e.zoo().message() != null;
      b.append("<tr class=\"output\">").append(cell(e.model())).append(cell(e.mode()))
          .append("<td class=\"").append(failed ? "failed" : "").append("\">").append(Html.escape(e.status())).append("</td>")
          .append(number(e.manifest() == null ? "–" : Long.toString(quantized(e).size())))
          .append(number(e.manifest() == null ? "–" : Long.toString(KeptTensor.of(e.manifest()).size())))
          .append(number(e.inputBytes() > 0 ? Long.toString(e.inputBytes()) : "–"))
          .append(number(e.outputBytes() > 0 ? Long.toString(e.outputBytes()) : "–"))
          .append(number(Html.number("%.2f×", e.compressionRatio())))
          .append(number(Html.number("%.2f", s.minSqnrDb()))).append(number(Html.number("%.2f", s.meanSqnrDb())))
          .append(number(Html.number("%.4g", s.maxAbsError())))
          .append(number(e.zoo() == null ? "–" : Html.number("%.1f", e.zoo().seconds())))
          .append("<td class=\"path\">").append(Html.escape(failed ? e.zoo().message() : e.location())).append("</td></tr>\n");
    }
    b.append("</tbody></table>\n");
  }

  /** The rows of an output that carry an error: one per converted weight. */
  private static List<ManifestRow> quantized(ReportEntry e) {
    return e.manifest().rows().stream().filter(r -> r.error() != null).toList();
  }

  private static void layerCharts(StringBuilder b, Report report, String id, String title, String background,
      String yLabel, String format, ToDoubleFunction<TensorError> figure) {
    b.append("<h2>").append(Html.escape(title)).append("</h2><div id=\"").append(id).append("\">\n");
    Map<String, List<ReportEntry>> byModel = new LinkedHashMap<>();
    for (ReportEntry e : report.entries()) {
      if (e.manifest() != null && !quantized(e).isEmpty()) {
        byModel.computeIfAbsent(e.model(), m -> new ArrayList<>()).add(e);
      }
    }
    int chart = 0;
    for (Map.Entry<String, List<ReportEntry>> model : byModel.entrySet()) {
      LinkedHashSet<String> names = new LinkedHashSet<>();
      model.getValue().forEach(e -> quantized(e).forEach(r -> names.add(r.name())));
      List<String> order = List.copyOf(names);
      List<LayerChart.Series> series = new ArrayList<>();
      for (ReportEntry e : model.getValue()) {
        double[] values = new double[order.size()];
        Arrays.fill(values, Double.NaN);
        for (ManifestRow r : quantized(e)) {
          values[order.indexOf(r.name())] = figure.applyAsDouble(r.error());
        }
        series.add(new LayerChart.Series(e.mode(), Palette.mode(e.mode()), values));
      }
      b.append("<h3>").append(Html.escape(model.getKey())).append("</h3>")
          .append(LayerChart.svg(id + "-" + chart++, background, yLabel, format, order, series)).append('\n');
    }
    if (byModel.isEmpty()) {
      b.append("<p class=\"muted\">no quantized weights</p>");
    }
    b.append("</div>\n");
  }

  private static void compression(StringBuilder b, Report report) {
    List<BarChart.Row> rows = new ArrayList<>();
    for (ReportEntry e : report.entries()) {
      if (e.inputBytes() > 0 && e.outputBytes() > 0) {
        rows.add(new BarChart.Row(e.model() + " · " + e.mode(), List.of(
            new BarChart.Bar(List.of(new BarChart.Segment(e.inputBytes(), Palette.INPUT_BYTES, "input " + Html.bytes(e.inputBytes())))),
            new BarChart.Bar(List.of(new BarChart.Segment(e.outputBytes(), Palette.mode(e.mode()),
                "output " + Html.bytes(e.outputBytes()))))), Html.number("%.2f× smaller", e.compressionRatio())));
      }
    }
    b.append("<h2>Compression (input bytes, grey, against output bytes)</h2><div id=\"compression\">");
    b.append(rows.isEmpty() ? "<p class=\"muted\">no sizes known</p>"
        : BarChart.svg("compression-chart", Palette.COMPRESSION_BACKGROUND, "bytes", Html::bytes, rows));
    b.append("</div>\n");
  }

  private static void kept(StringBuilder b, Report report) {
    List<BarChart.Row> rows = new ArrayList<>();
    StringBuilder table = new StringBuilder("<table id=\"kept-table\"><thead><tr><th>model</th><th>mode</th>"
        + "<th>tensor</th><th>dtype</th><th>bytes</th><th>why it was kept</th></tr></thead><tbody>\n");
    for (ReportEntry e : report.entries()) {
      if (e.manifest() == null) {
        continue;
      }
      Map<KeepReason, Integer> counts = new EnumMap<>(KeepReason.class);
      for (KeptTensor k : KeptTensor.of(e.manifest())) {
        counts.merge(k.reason(), 1, Integer::sum);
        table.append("<tr class=\"kept\">").append(cell(e.model())).append(cell(e.mode())).append(cell(k.name()))
            .append(cell(k.dtype())).append(number(Long.toString(k.bytes()))).append(cell(k.reason().description()))
            .append("</tr>\n");
      }
      List<BarChart.Segment> segments = new ArrayList<>();
      int converted = quantized(e).size();
      segments.add(new BarChart.Segment(converted, Palette.QUANTIZED, converted + " quantized"));
      counts.forEach((reason, n) -> segments.add(new BarChart.Segment(n, Palette.reason(reason), n + " kept: "
          + reason.description())));
      rows.add(new BarChart.Row(e.model() + " · " + e.mode(), List.of(new BarChart.Bar(segments)),
          (counts.values().stream().mapToInt(Integer::intValue).sum()) + " kept"));
    }
    b.append("<h2>Kept unquantized, and why (input tensors)</h2><div id=\"kept\"><p class=\"legend\">")
        .append(swatch(Palette.QUANTIZED, "quantized"));
    for (KeepReason r : KeepReason.values()) {
      b.append(swatch(Palette.reason(r), r.description()));
    }
    b.append("</p>");
    b.append(rows.isEmpty() ? "<p class=\"muted\">no manifests</p>"
        : BarChart.svg("kept-chart", Palette.KEPT_BACKGROUND, "tensors", t -> String.format(Locale.ROOT, "%.0f", t), rows));
    b.append(table).append("</tbody></table></div>\n");
  }

  private static void time(StringBuilder b, Report report) {
    b.append("<h2>Time per model (zoo run)</h2><div id=\"time\">");
    if (!report.hasTimes()) {
      b.append("<p class=\"muted\">no zoo report here (").append(Html.escape(ZooReportFile.FILE_NAME))
          .append("): a zoo run records the time of each model × mode</p></div>\n");
      return;
    }
    List<BarChart.Row> rows = new ArrayList<>();
    for (ReportEntry e : report.entries()) {
      if (e.zoo() != null) {
        String status = e.status();
        rows.add(new BarChart.Row(e.model() + " · " + e.mode(), List.of(new BarChart.Bar(List.of(new BarChart.Segment(
            e.zoo().seconds(), Palette.status(status), status)))), String.format(Locale.ROOT, "%.1f s, %s", e.zoo().seconds(), status)));
      }
    }
    b.append("<p class=\"legend\">").append(swatch(Palette.status("converted"), "converted"))
        .append(swatch(Palette.status("up to date"), "up to date")).append(swatch(Palette.status("failed"), "failed"))
        .append("</p>").append(BarChart.svg("time-chart", Palette.TIME_BACKGROUND, "seconds",
            t -> String.format(Locale.ROOT, "%.0f", t), rows)).append("</div>\n");
  }

  private static void tensors(StringBuilder b, Report report) {
    b.append("<h2>Every tensor</h2><div id=\"tensors\">\n");
    for (ReportEntry e : report.entries()) {
      if (e.manifest() == null) {
        continue;
      }
      b.append("<details><summary>").append(Html.escape(e.model() + " · " + e.mode())).append(" — ")
          .append(e.manifest().rows().size()).append(" tensors</summary><table class=\"tensors\"><thead><tr>")
          .append("<th>name</th><th>file</th><th>action</th><th>dtype</th><th>shape</th><th>bytes</th>")
          .append("<th>max |error|</th><th>RMSE</th><th>SQNR dB</th></tr></thead><tbody>\n");
      for (ManifestRow r : e.manifest().rows()) {
        TensorError err = r.error();
        b.append("<tr>").append(cell(r.name())).append(cell(r.file())).append(cell(r.action())).append(cell(r.dtype()))
            .append(cell(r.shape().toString())).append(number(Long.toString(r.byteSize())))
            .append(number(err == null ? "–" : Html.number("%.4g", err.maxAbsError())))
            .append(number(err == null ? "–" : Html.number("%.4g", err.rmse())))
            .append(number(err == null ? "–" : Html.number("%.2f", err.sqnrDb()))).append("</tr>\n");
      }
      b.append("</tbody></table></details>\n");
    }
    b.append("</div>\n");
  }

  private static String cell(String text) {
    return "<td>" + Html.escape(text) + "</td>";
  }

  private static String number(String text) {
    return "<td class=\"n\">" + Html.escape(text) + "</td>";
  }

  private static String swatch(String colour, String label) {
    return "<span class=\"swatch\" style=\"background:" + colour + "\"></span>" + Html.escape(label);
  }
}
