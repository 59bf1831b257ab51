package dev.quarry.manifest;

import java.util.DoubleSummaryStatistics;

/**
 * An output's error in three figures, over its converted weights: the worst max |error|, and the
 * lowest and mean SQNR in dB (an infinite SQNR, a weight reproduced exactly, is left out). Null
 * where there is nothing to summarize.
 */
public record ErrorSummary(Double maxAbsError, Double minSqnrDb, Double meanSqnrDb) {
  public static ErrorSummary of(Manifest m) {
    DoubleSummaryStatistics sqnr = new DoubleSummaryStatistics();
    Double maxAbs = null;
    for (ManifestRow r : m.rows()) {
      if (r.error() != null) {
        maxAbs = maxAbs == null ? r.error().maxAbsError() : Math.max(maxAbs, r.error().maxAbsError());
        if (Double.isFinite(r.error().sqnrDb())) {
          sqnr.accept(r.error().sqnrDb());
        }
      }
    }
    boolean any = sqnr.getCount() > 0;
    return new ErrorSummary(maxAbs, any ? sqnr.getMin() : null, any ? sqnr.getAverage() : null);
  }
}
