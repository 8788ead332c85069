package io.keyflow.cli.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * The certificates of {@code keyflow bench --tls}, made with the JDK's keytool in a directory: a
 * CA, a server certificate for 127.0.0.1 and a client certificate, both signed by the CA, with the
 * PEM files an endpoint's transport reads ({@code ca.pem}, {@code client.pem}, {@code client.key}).
 */
final class BenchCertificates {
  private static final String PASSWORD = "bench-only";
  private static final int DAYS = 30;

  private final KeytoolCertificates certificates;

  private BenchCertificates(Path dir) {
    this.certificates = new KeytoolCertificates(dir, PASSWORD);
  }

  /** Makes the certificates in {@code dir}, or reads them back if they are there. */
  static BenchCertificates in(Path dir) throws Exception {
    BenchCertificates certs = new BenchCertificates(dir);
    if (!Files.exists(dir.resolve("client.key"))) {
      Files.createDirectories(dir);
      certs.make();
    }
    return certs;
  }

  private void make() throws Exception {
    certificates.authority("ca", "CN=keyflow-bench-ca", DAYS, null);
    certificates.signed(
        "server", "CN=127.0.0.1", "san=ip:127.0.0.1,dns:localhost", "ca", DAYS, null);
    certificates.signed("client", "CN=keyflow-bench-client", null, "ca", DAYS, null);
    certificates.writeKeyPem("client");
  }

  Path directory() {
    return certificates.directory();
  }

  Path caPem() {
    return directory().resolve("ca.pem");
  }

  Path clientCertPem() {
    return directory().resolve("client.pem");
  }

  Path clientKeyPem() {
    return directory().resolve("client.key");
  }

  /** The function server's TLS: its certificate, and client certificates checked against the CA. */
  SSLContext serverContext() throws Exception {
    return certificates.serverContext("server", "ca");
  }
}
