package dev.quarry.zoo;

/** What a zoo run did with one model x mode. */
public enum ZooStatus {
  /** Converted in this run (new, or its input or settings changed). */
  CONVERTED,
  /** Complete, and its manifest matches the input's fingerprint and the spec's settings: left alone. */
  UP_TO_DATE,
  /** The conversion failed; the message says why. */
  FAILED
}
