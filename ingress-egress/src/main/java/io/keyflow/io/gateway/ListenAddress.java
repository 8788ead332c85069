package io.keyflow.io.gateway;

/**
 * Where a gateway listens: {@code host:port}, as module.yaml's {@code listen} and {@code --listen}.
 */
public record ListenAddress(String host, int port) {

  /** Reads {@code host:port}; null when it is not that (no host, or a port outside 0..65535). */
  public static ListenAddress parseOrNull(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      return port >= 0 && port <= 65535 ? new ListenAddress(text.substring(0, colon), port) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
