package dev.quarry.report;

import java.util.List;

/** What one report shows: the location it was made of, and every model x mode found there. */
public record Report(String location, List<ReportEntry> entries) {
  public Report {
    entries = List.copyOf(entries);
  }

  /** Whether a zoo report gave times (outputs converted outside a zoo have none). */
  public boolean hasTimes() {
    return entries.stream().anyMatch(e -> e.zoo() != null);
  }
}
