package dev.quarry.spark;

/** What the progress report counts of one unit of a pass: its tensor and its input bytes. */
public interface ProgressItem {
  int tensorId();

  long inputBytes();
}
