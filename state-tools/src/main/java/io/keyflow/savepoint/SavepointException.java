package io.keyflow.savepoint;

import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.changelog.ChangelogStateBackendHandle;

/** A savepoint cannot be read or written; the message names the path and the problem. */
public final class SavepointException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private SavepointException(String message, Throwable cause) {
    super(message, cause);
  }

  static SavepointException unreadable(String path, Throwable cause) {
    return new SavepointException(
        path
            + ": cannot read a savepoint or checkpoint here ("
            + cause.getMessage()
            + "); give the savepoint directory or a retained checkpoint's chk-N directory",
        cause);
  }

  static SavepointException noDispatcher(String path) {
    return new SavepointException(
        path
            + ": holds no state of a Keyflow job (no operator with uid keyflow-dispatcher);"
            + " is it the savepoint of another job?",
        null);
  }

  static SavepointException unsupportedHandle(String path, KeyedStateHandle handle) {
    if (handle instanceof ChangelogStateBackendHandle) {
      return new SavepointException(
          path
              + ": a checkpoint of the changelog state backend (state.changelog.enabled), whose"
              + " state changes cannot be read here; take a savepoint of the job (keyflow"
              + " savepoint, canonical format) and give its path",
          null);
    }
    return new SavepointException(
        path
            + ": keyed state of kind "
            + handle.getClass().getSimpleName()
            + " is not supported; take a savepoint in canonical or native format of a job"
            + " running on RocksDB without the changelog state backend",
        null);
  }

  static SavepointException conflictingTypes(
      String path, String state, DeclaredValue one, DeclaredValue other) {
    return new SavepointException(
        path
            + ": state "
            + state
            + " is stored with typename "
            + one.typename()
            + " in one part and "
            + other.typename()
            + " in another",
        null);
  }

  static SavepointException failed(String what, Throwable cause) {
    return new SavepointException(what + ": " + rootMessage(cause), cause);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }
}
