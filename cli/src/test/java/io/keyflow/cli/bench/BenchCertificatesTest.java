package io.keyflow.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One set of certificates for the class: each takes a dozen keytool runs. */
class BenchCertificatesTest {
  @TempDir static Path dir;
  private static BenchCertificates certs;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = BenchCertificates.in(dir.resolve("tls"));
  }

  @Test
  void theServerCertificateIsForThisMachineAndSignedByTheCaWhoseFilesTheEndpointReads()
      throws Exception {
    assertThat(certs.caPem()).exists();
    assertThat(certs.clientCertPem()).exists();
    assertThat(Files.readString(certs.clientKeyPem())).startsWith("-----BEGIN PRIVATE KEY-----");
    X509Certificate ca = certificate(certs.caPem());
    X509Certificate server = certificate(certs.directory().resolve("server.pem"));
    X509Certificate client = certificate(certs.clientCertPem());
    server.verify(ca.getPublicKey());
    client.verify(ca.getPublicKey());
    assertThat(ca.getBasicConstraints()).isNotNegative();
    assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=127.0.0.1");
    assertThat(server.getSubjectAlternativeNames())
        .contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
    assertThat(client.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    assertThat(certs.serverContext().getProtocol()).isEqualTo("TLS");
  }

  @Test
  void certificatesAlreadyInTheDirectoryAreReadBackNotMadeAgain() throws Exception {
    String key = Files.readString(certs.clientKeyPem());

    BenchCertificates again = BenchCertificates.in(dir.resolve("tls"));

    assertThat(Files.readString(again.clientKeyPem())).isEqualTo(key);
    assertThat(again.serverContext()).isNotNull();
  }

  private static X509Certificate certificate(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
