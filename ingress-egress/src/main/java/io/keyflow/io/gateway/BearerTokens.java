package io.keyflow.io.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The bearer tokens a gateway accepts, read once when it starts. Only their SHA-256 digests are
 * kept, and a presented token is compared with every one of them in constant time, so neither the
 * answer's timing nor its content tells a caller how close a guess was.
 */
final class BearerTokens {
  private final List<byte[]> digests;

  private BearerTokens(List<byte[]> digests) {
    this.digests = digests;
  }

  /**
   * Reads the tokens {@code auth} names: a file's lines (blank ones and {@code #} comments
   * skipped), or a variable's value split at commas and whitespace.
   *
   * @throws IllegalStateException naming the module field and the fix when there is no token
   */
  static BearerTokens load(GatewaySpec spec, UnaryOperator<String> environment) {
    return load(spec, spec.auth(), "auth", environment);
  }

  /**
   * Reads the tokens {@code auth} names, as {@link #load(GatewaySpec, UnaryOperator)} does; {@code
   * field} names where module.yaml declares them ({@code auth} or {@code admin}) in errors.
   */
  static BearerTokens load(
      GatewaySpec spec, GatewayAuth auth, String field, UnaryOperator<String> environment) {
    List<String> tokens = new ArrayList<>();
    String source;
    if (auth.tokensFile() != null) {
      source = field + ".tokensFile " + auth.tokensFile();
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(auth.tokensFile()), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException(
            "gateway " + spec.id() + ": " + source + " cannot be read (" + e + ")", e);
      }
      for (String line : lines) {
        String token = line.strip();
        if (!token.isEmpty() && !token.startsWith("#")) {
          tokens.add(token);
        }
      }
    } else {
      source = field + ".tokensEnv " + auth.tokensEnv();
      String value = environment.apply(auth.tokensEnv());
      if (value != null) {
        for (String token : value.split("[,\\s]+")) {
          if (!token.isEmpty()) {
            tokens.add(token);
          }
        }
      }
    }
    if (tokens.isEmpty()) {
      throw new IllegalStateException(
          "gateway "
              + spec.id()
              + ": "
              + source
              + " holds no token; put one or more tokens there (a file: one per line; a"
              + " variable: separated by commas), or remove "
              + field
              + " from the gateway in module.yaml");
    }
    List<byte[]> digests = new ArrayList<>();
    tokens.forEach(token -> digests.add(digest(token)));
    return new BearerTokens(List.copyOf(digests));
  }

  /** Whether {@code token} is one of the tokens; takes as long for any token of any length. */
  boolean accepts(String token) {
    byte[] presented = digest(token);
    boolean match = false;
    for (byte[] known : digests) {
      match |= MessageDigest.isEqual(known, presented);
    }
    return match;
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
