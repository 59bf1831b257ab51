package dev.quarry.cli;

/** The text after {@code quarry: error: } for an exception: its message, never a stack trace. */
final class ErrorMessages {
  private ErrorMessages() {}

  static String of(Throwable e) {
    String message = e.getMessage();
    // An exception without a message (a bug, not bad input) still gets a line that names it.
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.replace('\n', ' ');
  }
}
