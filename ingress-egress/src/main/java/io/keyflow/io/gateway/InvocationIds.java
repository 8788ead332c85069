package io.keyflow.io.gateway;

import io.keyflow.protocol.reqreply.Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Invocation ids: random for a plain call, derived from the target and the Idempotency-Key for a
 * call that may be retried, so that every gateway instance gives a retry the same id.
 */
final class InvocationIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private InvocationIds() {}

  static String random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "c" + ENCODER.encodeToString(bytes);
  }

  static String forIdempotencyKey(Address target, String key) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
    // Length-prefixed parts, so that no two different (target, key) pairs give the same input.
    for (String part :
        new String[] {target.getNamespace(), target.getType(), target.getId(), key}) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) ':');
      sha.update(bytes);
    }
    return "k" + ENCODER.encodeToString(Arrays.copyOf(sha.digest(), 18));
  }
}
