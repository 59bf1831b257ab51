package dev.quarry.report;

import dev.quarry.manifest.ConversionSettings;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestRow;
import dev.quarry.quantize.KeepReason;
import dev.quarry.quantize.ModuleRules;
import dev.quarry.quantize.ModuleSelector;
import dev.quarry.safetensors.Dtype;
import dev.quarry.safetensors.TensorEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * A tensor an output holds unquantized, and why. The manifest records only that it was copied;
 * the reason is the module selection replayed with the settings the manifest records, and a
 * weight that selection would have quantized was kept for its NaN or ±inf values (the one other
 * way a conversion copies a weight).
 */
public record KeptTensor(String name, String dtype, long bytes, KeepReason reason) {
  static final String COPY = "copy";

  public static List<KeptTensor> of(Manifest m) {
    ConversionSettings s = m.settings();
    ModuleSelector selector = new ModuleSelector(false, new ModuleRules(s.allLinear(), s.skipModules(), s.includeModules(), null));
    List<KeptTensor> kept = new ArrayList<>();
    for (ManifestRow r : m.rows()) {
      if (COPY.equals(r.action())) {
        KeepReason reason = selector.keeps(new TensorEntry(r.name(), Dtype.valueOf(r.dtype()), r.shape(), 0, r.byteSize()));
        kept.add(new KeptTensor(r.name(), r.dtype(), r.byteSize(), reason == null ? KeepReason.NON_FINITE : reason));
      }
    }
    return kept;
  }
}
