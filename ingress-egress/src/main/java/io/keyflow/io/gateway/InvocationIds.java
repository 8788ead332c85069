package io.keyflow.io.gateway;

import io.keyflow.protocol.reqreply.Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Invocation ids: random for a plain call; for a call that may be retried, {@code k<slot>.<request
 * fingerprint>}.
 *
 * <p>The slot is derived from the target and the Idempotency-Key, so every gateway instance gives a
 * retry the same one, and the job delivers one call per slot. The fingerprint is a hash of what the
 * call asks for (target, typename, body): it travels with the call through Kafka, comes back as the
 * caller id of the reply, and so lets any instance tell a retry (same fingerprint) from another
 * request that reuses the key (another fingerprint), which must not get the first call's reply.
 */
final class InvocationIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final char FINGERPRINT_SEPARATOR = '.';

  private InvocationIds() {}

  static String random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "c" + ENCODER.encodeToString(bytes);
  }

  /** The id of a call with an Idempotency-Key: its slot and the fingerprint of the request. */
  static String forIdempotencyKey(Address target, String key, String typename, byte[] body) {
    return slotFor(target, key) + FINGERPRINT_SEPARATOR + fingerprint(target, typename, body);
  }

  /**
   * The slot of an invocation id: the part shared by every request with the same target and
   * Idempotency-Key (for ids without a fingerprint, the id itself). The job delivers one call per
   * slot, and a gateway keeps one reply per slot.
   */
  static String slot(String invocationId) {
    int separator = invocationId.indexOf(FINGERPRINT_SEPARATOR);
    return separator < 0 ? invocationId : invocationId.substring(0, separator);
  }

  /** Ids written before fingerprints existed were the slot alone; they stay valid slots. */
  static String slotFor(Address target, String key) {
    MessageDigest sha = sha256();
    update(sha, target.getNamespace(), target.getType(), target.getId(), key);
    return "k" + ENCODER.encodeToString(Arrays.copyOf(sha.digest(), 18));
  }

  /**
   * What a request asks for: the target (the path without {@code /send}, since sending and calling
   * are the same invocation), the message's typename and its bytes.
   */
  static String fingerprint(Address target, String typename, byte[] body) {
    MessageDigest sha = sha256();
    update(sha, target.getNamespace(), target.getType(), target.getId(), typename);
    sha.update(Integer.toString(body.length).getBytes(StandardCharsets.US_ASCII));
    sha.update((byte) ':');
    sha.update(body);
    return ENCODER.encodeToString(Arrays.copyOf(sha.digest(), 16));
  }

  // Length-prefixed parts, so that no two different lists of parts give the same input.
  private static void update(MessageDigest sha, String... parts) {
    for (String part : parts) {
      byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
      sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) ':');
      sha.update(bytes);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
