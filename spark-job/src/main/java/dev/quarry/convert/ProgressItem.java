package dev.quarry.convert;

/** What the progress report counts of one unit of a pass: its tensor and its input bytes. */
interface ProgressItem {
  int tensorId();

  long inputBytes();
}
