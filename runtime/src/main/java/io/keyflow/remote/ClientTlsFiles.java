package io.keyflow.remote;

import io.keyflow.remote.http.ClientTls;
import io.keyflow.remote.http.ClientTlsSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The TLS files of an endpoint's transport as read when a function client first calls it: each
 * location with its text, or null when the field is not set.
 */
record ClientTlsFiles(
    TlsMaterial.Pem trustCaCerts,
    TlsMaterial.Pem clientCert,
    TlsMaterial.Pem clientKey,
    TlsMaterial.Pem clientKeyPassword)
    implements ClientTlsSource {

  @Override
  public String fingerprint() {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    for (TlsMaterial.Pem file : new TlsMaterial.Pem[] {trustCaCerts, clientCert, clientKey}) {
      add(digest, file == null ? null : file.location());
      add(digest, file == null ? null : file.text());
    }
    add(digest, clientKeyPassword == null ? null : clientKeyPassword.location());
    add(digest, clientKeyPassword == null ? null : clientKeyPassword.text());
    return HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public ClientTls build() {
    return TlsMaterial.managers(this);
  }

  /** Adds {@code value} so that no two sequences of values digest alike: its length, then it. */
  private static void add(MessageDigest digest, String value) {
    if (value == null) {
      digest.update((byte) 0);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    digest.update((byte) 1);
    digest.update(
        new byte[] {
          (byte) (bytes.length >>> 24),
          (byte) (bytes.length >>> 16),
          (byte) (bytes.length >>> 8),
          (byte) bytes.length
        });
    digest.update(bytes);
  }
}
