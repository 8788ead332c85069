package io.keyflow.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.testing.TestCertificates;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which servers the client certificate is offered to: those the JDK's own key manager offers it.
 */
class ClientKeyManagerTest {
  @TempDir static Path dir;

  private static X509Certificate client;
  private static PrivateKey key;

  @BeforeAll
  static void certificates() throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    try (InputStream in = Files.newInputStream(certs.clientCertPem())) {
      client = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    key = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
  }

  private static ClientKeyManager manager() {
    return new ClientKeyManager(key, new X509Certificate[] {client});
  }

  @Test
  void theCertificateIsOfferedForItsKeyTypeToAServerNamingNoCa() {
    ClientKeyManager keys = manager();

    assertThat(keys.chooseEngineClientAlias(new String[] {"EC", "RSA"}, null, null)).isNotNull();
    assertThat(keys.chooseEngineClientAlias(new String[] {"EC"}, new Principal[0], null)).isNull();
    String alias = keys.chooseEngineClientAlias(new String[] {"RSA"}, null, null);
    assertThat(keys.getCertificateChain(alias)).containsExactly(client);
    assertThat(keys.getPrivateKey(alias)).isSameAs(key);
    assertThat(keys.getPrivateKey("another")).isNull();
  }

  @Test
  void aServerNamingCasGetsTheCertificateOnlyIfOneOfThemIssuedIt() {
    ClientKeyManager keys = manager();
    Principal issuer = client.getIssuerX500Principal();
    Principal other = new X500Principal("CN=keyflow-test-elsewhere");

    assertThat(
            keys.chooseEngineClientAlias(
                new String[] {"RSA"}, new Principal[] {other, issuer}, null))
        .isNotNull();
    assertThat(keys.chooseEngineClientAlias(new String[] {"RSA"}, new Principal[] {other}, null))
        .isNull();
  }

  @Test
  void aTls12KeySignerTypeAlsoNeedsTheSignatureAlgorithm() {
    ClientKeyManager keys = manager();

    assertThat(keys.getClientAliases("RSA_RSA", null)).isNotNull();
    assertThat(keys.getClientAliases("RSA_EC", null)).isNull();
    assertThat(keys.getServerAliases("RSA", null)).isNull();
  }
}
