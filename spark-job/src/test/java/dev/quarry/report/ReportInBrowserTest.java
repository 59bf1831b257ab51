package dev.quarry.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestFile;
import dev.quarry.quantize.KeepReason;
import dev.quarry.testing.CliRun;
import dev.quarry.testing.HeadlessChromium;
import dev.quarry.testing.LocalFiles;
import dev.quarry.testing.ReferenceData;
import dev.quarry.testing.SmallModels;
import dev.quarry.testing.TestCheckpoints;
import dev.quarry.zoo.ZooReportFile;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quarry report} and the zoo's page, rendered by headless Chromium: a zoo run converts the
 * reference tiny-llama to nf4-dq and int8, a model with a NaN weight is converted beside it with
 * --allow-non-finite into a directory whose name is an HTML tag; the screenshot must show every
 * plot drawn (the marks' colours inside each plot's area), and the DOM the browser built must hold
 * the right rows and no element made of an input's name.
 */
class ReportInBrowserTest {
  /** A directory name that would be an image with a script handler if a report forgot to escape it. */
  private static final String HOSTILE = "<img src=x onerror=document.title='pwned'>";
  private static final int WIDTH = 1280;
  private static final int HEIGHT = 4200;

  @TempDir
  static Path dir;

  private static Path root;
  private static HeadlessChromium chromium;
  private static final CliRun cli = new CliRun();

  @BeforeAll
  static void convert() throws IOException {
    chromium = HeadlessChromium.find(dir);
    root = dir.resolve("zoo");
    Path spec = dir.resolve("zoo.yaml");
    Files.writeString(spec, String.join("\n", "output_root: " + root, "modes: [nf4-dq, int8]", "models:",
        "  - name: tiny-llama", "    input: " + ReferenceData.dir().resolve("tiny-llama/input"), ""));
    assertEquals(0, cli.run("zoo", spec.toString(), "--master", "local[2]"), cli.err());

    Path nan = Files.createDirectories(dir.resolve("nan-model"));
    Files.writeString(nan.resolve("config.json"), SmallModels.CONFIG);
    List<TestCheckpoints.Tensor> tensors = new ArrayList<>(SmallModels.layer(0, Float.NaN));
    tensors.addAll(SmallModels.layer(1, 0.5f));
    TestCheckpoints.write(nan.resolve("model.safetensors"), tensors);
    assertEquals(0, cli.run("convert", "--input", nan.toString(), "--output", root.resolve(HOSTILE).resolve("nf4").toString(),
        "--mode", "nf4", "--master", "local[2]", "--allow-non-finite"), cli.err());
  }

  @Test
  void reportOfTheZooRootShowsEveryPlotAndTheRightRows() throws IOException, InterruptedException {
    Path page = dir.resolve("report.html");
    assertEquals(0, cli.run("report", root.toString(), "--html", page.toString()), cli.err());

    String dom = chromium.dumpDom(page);
    assertEquals(List.of(
        List.of(HOSTILE, "nf4", "complete", "1", "3"),
        List.of("tiny-llama", "int8", "converted", "14", "7"),
        List.of("tiny-llama", "nf4-dq", "converted", "14", "7")),
        rows(dom, "outputs").stream().map(r -> r.subList(0, 5)).toList());
    assertEquals(Long.toString(Files.size(root.resolve("tiny-llama/int8/model.safetensors"))),
        rows(dom, "outputs").get(1).get(6), "output bytes of tiny-llama int8");
    List<List<String>> kept = rows(dom, "kept-table");
    assertTrue(kept.contains(List.of(HOSTILE, "nf4", SmallModels.weight(0), "F32", "1024",
        KeepReason.NON_FINITE.description())), kept.toString());
    assertTrue(kept.contains(List.of("tiny-llama", "nf4-dq", "lm_head.weight", "BF16",
        Long.toString(bytes("tiny-llama/nf4-dq", "lm_head.weight")), KeepReason.OUTPUT_HEAD.description())),
        kept.toString());
    assertFalse(Pattern.compile("<img", Pattern.CASE_INSENSITIVE).matcher(dom).find(), "an input's name became an element");
    assertTrue(dom.contains("&lt;img src=x onerror=document.title='pwned'&gt;"), "the name shown as text");
    assertFalse(dom.contains("pwned</title>"), "no script ran");

    BufferedImage shot = ImageIO.read(chromium.screenshot(page, WIDTH, HEIGHT).toFile());
    for (String background : List.of(Palette.SQNR_BACKGROUND, Palette.ERROR_BACKGROUND)) {
      Rectangle plots = plotArea(shot, background);
      // 14 weights of tiny-llama per mode, one of the NaN model (marks of 7 x 7 pixels, some may overlap)
      assertTrue(pixels(shot, plots, Palette.mode("nf4-dq")) >= 14 * 9, "nf4-dq marks in the plots on " + background);
      assertTrue(pixels(shot, plots, Palette.mode("int8")) >= 14 * 9, "int8 marks in the plots on " + background);
      assertTrue(pixels(shot, plots, Palette.mode("nf4")) >= 9, "the nf4 mark in the plots on " + background);
    }
    Rectangle compression = plotArea(shot, Palette.COMPRESSION_BACKGROUND);
    assertTrue(pixels(shot, compression, Palette.INPUT_BYTES) > 3 * 1000, "input bars");
    assertTrue(pixels(shot, compression, Palette.mode("int8")) > 1000, "int8's output bar");
    Rectangle keptPlot = plotArea(shot, Palette.KEPT_BACKGROUND);
    for (KeepReason reason : List.of(KeepReason.OUTPUT_HEAD, KeepReason.EMBEDDING, KeepReason.NOT_A_LINEAR_WEIGHT,
        KeepReason.NON_FINITE)) {
      assertTrue(pixels(shot, keptPlot, Palette.reason(reason)) > 20, reason + " in the kept plot");
    }
    assertTrue(pixels(shot, keptPlot, Palette.QUANTIZED) > 1000, "quantized tensors in the kept plot");
    assertTrue(pixels(shot, plotArea(shot, Palette.TIME_BACKGROUND), Palette.status("converted")) > 200, "time bars");
  }

  @Test
  void zooWritesItsPageBesideItsArrowReport() throws IOException, InterruptedException {
    Path page = root.resolve(ZooReportFile.HTML_FILE_NAME);
    assertTrue(Files.isRegularFile(page), "the zoo wrote " + page);
    String dom = chromium.dumpDom(page);
    assertEquals(List.of(List.of("tiny-llama", "int8"), List.of("tiny-llama", "nf4-dq")),
        rows(dom, "outputs").stream().map(r -> r.subList(0, 2)).sorted((a, b) -> a.get(1).compareTo(b.get(1))).toList());
    BufferedImage shot = ImageIO.read(chromium.screenshot(page, WIDTH, HEIGHT).toFile());
    assertTrue(pixels(shot, plotArea(shot, Palette.SQNR_BACKGROUND), Palette.mode("nf4-dq")) >= 14 * 9, "nf4-dq SQNR");
    assertTrue(pixels(shot, plotArea(shot, Palette.TIME_BACKGROUND), Palette.status("converted")) > 200, "time bars");
  }

  private static long bytes(String output, String tensor) throws IOException {
    Manifest m = ManifestFile.read(LocalFiles.fs(), LocalFiles.hadoopPath(root.resolve(output).resolve(Manifest.FILE_NAME)));
    return m.rows().stream().filter(r -> r.name().equals(tensor)).findFirst().orElseThrow().byteSize();
  }

  /** The cells' text (entities decoded) of each body row of the table with {@code id}. */
  private static List<List<String>> rows(String dom, String id) {
    int start = dom.indexOf("<table id=\"" + id + "\"");
    assertTrue(start >= 0, "no table " + id + " in the page");
    String body = dom.substring(dom.indexOf("<tbody>", start), dom.indexOf("</tbody>", start));
    List<List<String>> rows = new ArrayList<>();
    Matcher row = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL).matcher(body);
    while (row.find()) {
      List<String> cells = new ArrayList<>();
      Matcher cell = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL).matcher(row.group(1));
      while (cell.find()) {
        cells.add(cell.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&"));
      }
      rows.add(cells);
    }
    return rows;
  }

  /** Where the plots of one kind are: the bounds of their background colour, which must cover a plot's area. */
  private static Rectangle plotArea(BufferedImage shot, String background) {
    int rgb = Integer.parseInt(background.substring(1), 16);
    Rectangle r = null;
    for (int y = 0; y < shot.getHeight(); y++) {
      for (int x = 0; x < shot.getWidth(); x++) {
        if ((shot.getRGB(x, y) & 0xffffff) == rgb) {
          r = r == null ? new Rectangle(x, y, 1, 1) : r.union(new Rectangle(x, y, 1, 1));
        }
      }
    }
    assertNotNull(r, "no plot with background " + background + " on the screenshot");
    assertTrue(r.width > 400 && r.height > 40, "the plot on " + background + " is only " + r);
    return r;
  }

  private static int pixels(BufferedImage shot, Rectangle area, String colour) {
    int rgb = Integer.parseInt(colour.substring(1), 16);
    int n = 0;
    for (int y = area.y; y < area.y + area.height; y++) {
      for (int x = area.x; x < area.x + area.width; x++) {
        if ((shot.getRGB(x, y) & 0xffffff) == rgb) {
          n++;
        }
      }
    }
    return n;
  }
}
