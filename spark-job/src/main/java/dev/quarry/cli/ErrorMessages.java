package dev.quarry.cli;

/**
 * The text after {@code quarry: error: } for an exception: its message, never a stack trace, on one
 * line. Messages quote names from the input (tensor names, file names in an index), so every control
 * character is escaped: a hostile name can neither add lines nor send terminal escape sequences.
 */
final class ErrorMessages {
  private ErrorMessages() {}

  static String of(Throwable e) {
    String message = e.getMessage();
    // An exception without a message (a bug, not bad input) still gets a line that names it.
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : oneLine(message);
  }

  private static String oneLine(String message) {
    StringBuilder sb = new StringBuilder(message.length());
    message.codePoints().forEach(c -> {
      if (c == '\n') {
        sb.append(' ');
      } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.toString();
  }
}
