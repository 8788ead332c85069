package io.keyflow.dispatch;

import java.util.Collection;

/** The dispatcher cannot deliver a message or apply a function's response. */
public final class DispatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private DispatchException(String message, Throwable cause) {
    super(message, cause);
  }

  static DispatchException noEndpoint(AddressKey target, Collection<String> patterns) {
    return new DispatchException(
        "no endpoint serves function type "
            + target.function()
            + " (message for id '"
            + target.id()
            + "'); module.yaml binds: "
            + (patterns.isEmpty() ? "no functions" : String.join(", ", patterns))
            + ". Add an io.statefun.endpoints.v2/http document whose 'functions' matches it.",
        null);
  }

  static DispatchException badAddress(AddressKey sender, String what, Throwable cause) {
    return new DispatchException(
        "function " + sender + " sent " + what + ": " + cause.getMessage(), cause);
  }

  static DispatchException noEndpointForMessage(
      AddressKey sender, AddressKey target, Collection<String> patterns) {
    return new DispatchException(
        "function "
            + sender
            + " sent a message to "
            + target
            + ", but no endpoint serves function type "
            + target.function()
            + "; module.yaml binds: "
            + (patterns.isEmpty() ? "no functions" : String.join(", ", patterns)),
        null);
  }

  static DispatchException invocationFailed(Pending request, Throwable cause) {
    return new DispatchException(
        "invoking "
            + request.key
            + " with "
            + request.invocations.size()
            + " message(s) failed: "
            + cause.getMessage(),
        cause);
  }

  static DispatchException responseFailed(Pending request, Throwable cause) {
    return new DispatchException(
        "applying the response of " + request.key + " failed: " + cause.getMessage(), cause);
  }

  static DispatchException handshakeLoop(AddressKey target, Collection<String> names) {
    return new DispatchException(
        "function "
            + target
            + " reports values "
            + names
            + " as missing although the request carried them; the function and the runtime"
            + " disagree on the protocol",
        null);
  }
}
