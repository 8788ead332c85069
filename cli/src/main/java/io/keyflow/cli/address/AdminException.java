package io.keyflow.cli.address;

/** A problem an address command reports as one line on stderr, without a stack trace. */
final class AdminException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  AdminException(String message) {
    super(message);
  }
}
