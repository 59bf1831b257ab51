package dev.quarry.verify;

/**
 * One thing {@code verify} found wrong: the file (name in the output directory) and tensor it
 * concerns (either may be null), the byte offset in the tensor where it starts (null when the check
 * cannot locate it, e.g. a checksum), and what is wrong.
 */
public record Problem(String file, String tensor, Long offset, String message) {
  public String describe() {
    StringBuilder b = new StringBuilder();
    if (file != null) {
      b.append(file).append(": ");
    }
    if (tensor != null) {
      b.append("tensor '").append(tensor).append("'");
      b.append(offset != null ? " at byte " + offset : "").append(": ");
    }
    return b.append(message).toString();
  }
}
