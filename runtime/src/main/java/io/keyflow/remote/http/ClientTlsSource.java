package io.keyflow.remote.http;

/**
 * An endpoint's TLS material as read from its files, before it is turned into trust and key
 * managers: what identifies it ({@link #fingerprint}), and how to build it ({@link #build}), which
 * only happens when no TLS context for that material exists in the JVM yet.
 */
public interface ClientTlsSource {

  /**
   * A digest of every location and every file's content (CA certificates, client certificate,
   * client key, its password): equal for material that is interchangeable, different as soon as a
   * file changed.
   */
  String fingerprint();

  /**
   * What the client trusts and presents.
   *
   * @throws IllegalArgumentException naming the field when a file holds no certificate or a key
   *     Keyflow cannot read
   */
  ClientTls build();
}
