package dev.quarry.convert.commit;

import dev.quarry.convert.store.OutputStore;
import dev.quarry.manifest.ConversionIdentity;
import java.io.IOException;

/**
 * What is already at the output path decides whether a conversion runs: its own completed output
 * (same {@link ConversionIdentity}) means nothing to do; the completed output of a different
 * conversion, or files that are not quarry's, are refused unless --overwrite, which deletes them
 * (only after the new input has been read and validated). An incomplete quarry output is resumed:
 * the run keeps the shards an interrupted run of the same conversion completed ({@link KeptShards}).
 */
public final class ExistingOutput {
  private ExistingOutput() {}

  /** True when the output is already this conversion's, complete. */
  public static boolean alreadyDone(OutputStore store, ConversionIdentity identity, boolean overwrite) throws IOException {
    String completedBy = store.completedBy();
    if (identity.json().equals(completedBy)) {
      store.removeStaging();
      return true;
    }
    String problem = completedBy != null
        ? "holds the completed output of a different conversion (" + ConversionIdentity.describe(completedBy) + ")"
        : store.holdsOtherFiles() ? "is not empty and not an output of quarry" : null;
    if (problem != null) {
      if (!overwrite) {
        throw new IOException(store.dir() + ": " + problem + "; use --overwrite to replace it");
      }
      store.clear();
    }
    return false;
  }
}
