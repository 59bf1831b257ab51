package dev.quarry.zoo;

/**
 * One row of the zoo report: model, mode, status, input and output bytes (0 when unknown), the
 * seconds this run spent on it, the error figures from its manifest (worst max |error|, lowest and
 * mean SQNR in dB over the converted weights; null when none), and the failure message. The modes of a
 * model converted in one read of its input share their seconds: each gets the time of the read.
 */
public record ZooResult(String model, String mode, ZooStatus status, long inputBytes, long outputBytes, double seconds,
    Double maxAbsError, Double minSqnrDb, Double meanSqnrDb, String message) {

  /** Input bytes over output bytes (null when unknown). */
  public Double compressionRatio() {
    return inputBytes > 0 && outputBytes > 0 ? (double) inputBytes / outputBytes : null;
  }
}
