package dev.quarry.verify;

import java.util.List;

/** What {@code verify} checked (tensors, bytes, whether it re-derived from the input) and what it found. */
public record VerifyReport(int tensors, long bytes, boolean rederived, List<Problem> problems) {
  public VerifyReport {
    problems = List.copyOf(problems);
  }

  public boolean ok() {
    return problems.isEmpty();
  }
}
