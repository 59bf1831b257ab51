package dev.quarry.manifest;

import dev.quarry.quality.ErrorStats;

/** A quantized tensor's error as the manifest records it: max |error|, RMSE and SQNR in dB. */
public record TensorError(double maxAbsError, double rmse, double sqnrDb) {
  public static TensorError of(ErrorStats s) {
    return new TensorError(s.maxAbsError(), s.rmse(), s.sqnrDb());
  }
}
