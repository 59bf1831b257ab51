package dev.quarry.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.manifest.ConversionIdentity;
import dev.quarry.manifest.ConversionSettings;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestRow;
import dev.quarry.manifest.TensorError;
import dev.quarry.quantize.KeepReason;
import dev.quarry.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page's text without a browser: why each copied tensor was kept (the module selection replayed
 * with the manifest's settings), hostile names shown as text, and the command's error when there is
 * nothing to report.
 */
class HtmlReportTest {
  private static final String HOSTILE = "model.layers.0.</td><script>alert(1)</script>.weight";

  @TempDir
  Path dir;

  private static ManifestRow copy(String name, List<Long> shape) {
    return new ManifestRow(name, "model.safetensors", name, "copy", null, null, "BF16", shape, 2 * shape.stream()
        .reduce(1L, (a, b) -> a * b), 0, null);
  }

  private static Manifest manifest() {
    return new Manifest(new ConversionIdentity("test", "in",
        new ConversionSettings("nf4", 64, false, List.of("down_proj"), List.of(), 1L << 30, "uint8", null, false),
        List.of(new ConversionIdentity.InputFile("model.safetensors", 4096, 0, "00")), List.of()), List.of(
        new ManifestRow("model.layers.0.mlp.up_proj.weight", "model.safetensors", "model.layers.0.mlp.up_proj.weight",
            "quantize", "nf4", 64, "U8", List.of(512L, 1L), 512, 0, new TensorError(0.25, 0.01, 21.5)),
        copy("model.layers.0.mlp.down_proj.weight", List.of(32L, 32L)),
        copy("model.layers.0.self_attn.q_proj.weight", List.of(32L, 32L)),
        copy("lm_head.weight", List.of(100L, 32L)),
        copy("model.embed_tokens.weight", List.of(100L, 32L)),
        copy(HOSTILE, List.of(32L))));
  }

  @Test
  void everyCopiedTensorIsKeptForItsReason() {
    assertEquals(List.of(KeepReason.SKIP_MODULES, KeepReason.NON_FINITE, KeepReason.OUTPUT_HEAD, KeepReason.EMBEDDING,
        KeepReason.NOT_A_LINEAR_WEIGHT), KeptTensor.of(manifest()).stream().map(KeptTensor::reason).toList());
  }

  @Test
  void namesFromTheInputAreTextNotMarkup() {
    String html = HtmlReport.html(new Report("/data/<zoo>", List.of(new ReportEntry("<b onclick='x()'>m</b>", "nf4",
        "/data/<zoo>/m/nf4", manifest(), 4096, 1024, true, null))));
    assertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'"), "no script, nothing fetched");
    assertFalse(html.contains("<script") || html.contains("<b ") || html.contains("<zoo>"), "input became markup");
    assertTrue(html.contains("model.layers.0.&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;.weight"), "shown as text");
    assertTrue(html.contains("&lt;b onclick=&#39;x()&#39;&gt;m&lt;/b&gt;"), "the model's name shown as text");
  }

  @Test
  void aDirectoryWithoutManifestsIsAnErrorThatSaysSo() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    CliRun cli = new CliRun();
    assertEquals(2, cli.run("report", empty.toString(), "--html", dir.resolve("r.html").toString()));
    assertEquals("quarry: error: " + empty + ": no quarry-manifest.arrow in it or below it, and no quarry-zoo-report.arrow: "
        + "neither a conversion output nor a zoo's output root", cli.err().strip());
    assertFalse(Files.exists(dir.resolve("r.html")));
  }
}
