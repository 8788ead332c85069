package io.keyflow.io.gateway;

import java.io.Serializable;

/**
 * Where a gateway's bearer tokens come from ({@code auth} in module.yaml): a file with one token
 * per line, or an environment variable holding one or more tokens separated by commas or
 * whitespace. Tokens themselves never appear in module.yaml. Both null: callers need no token.
 *
 * @param tokensFile path of the token file, or null
 * @param tokensEnv name of the environment variable, or null
 */
public record GatewayAuth(String tokensFile, String tokensEnv) implements Serializable {
  private static final GatewayAuth NONE = new GatewayAuth(null, null);

  public GatewayAuth {
    if (tokensFile != null && tokensEnv != null) {
      throw new IllegalArgumentException("tokens come from a file or a variable, not both");
    }
  }

  /** No authentication. */
  public static GatewayAuth none() {
    return NONE;
  }

  /** Whether callers must present a bearer token. */
  public boolean required() {
    return tokensFile != null || tokensEnv != null;
  }
}
