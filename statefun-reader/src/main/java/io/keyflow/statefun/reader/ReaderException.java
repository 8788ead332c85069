package io.keyflow.statefun.reader;

/** A StateFun savepoint cannot be read; the message names the path and the problem. */
final class ReaderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ReaderException(String message, Throwable cause) {
    super(message, cause);
  }
}
