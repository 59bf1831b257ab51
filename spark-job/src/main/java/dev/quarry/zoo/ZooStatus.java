package dev.quarry.zoo;

/** What a zoo run did with one model x mode. */
public enum ZooStatus {
  /** Converted in this run (new, or its input or settings changed). */
  CONVERTED,
  /** Complete, and its manifest records this conversion (input files, the spec's settings, quarry version): left alone. */
  UP_TO_DATE,
  /** The conversion failed; the message says why. */
  FAILED
}
