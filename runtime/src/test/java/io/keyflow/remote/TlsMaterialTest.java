package io.keyflow.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.ModuleLoader;
import io.keyflow.module.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {
  @TempDir Path dir;

  private static Transport transport(String tls) {
    return ModuleLoader.parse(
            "module.yaml",
            """
            kind: io.statefun.endpoints.v2/http
            spec:
              functions: shop/*
              urlPathTemplate: https://f/{function.name}
              transport:
            %s"""
                .formatted(tls.indent(4)))
        .endpoints()
        .get(0)
        .transport();
  }

  @Test
  void aMissingCaFileNamesItsLocation() {
    Path missing = dir.resolve("nowhere.pem");

    assertThatThrownBy(() -> TlsMaterial.clientTls(transport("trust_cacerts: " + missing)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot set up TLS")
        .hasMessageContaining("nowhere.pem");
  }

  @Test
  void aFileWithoutCertificatesIsRefused() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");

    assertThatThrownBy(() -> TlsMaterial.clientTls(transport("trust_cacerts: " + empty)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty.pem");
  }

  @Test
  void aClientCertificateFileWithoutCertificatesIsRefused() throws Exception {
    Path cert = Files.writeString(dir.resolve("client.pem"), "");
    Path key =
        Files.writeString(
            dir.resolve("client.key"),
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");

    assertThatThrownBy(
            () ->
                TlsMaterial.clientTls(transport("client_cert: " + cert + "\nclient_key: " + key))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client.pem holds no PEM certificate");
  }

  @Test
  void theFingerprintFollowsTheFilesContentAndLocations() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "first\n");
    Path copy = Files.writeString(dir.resolve("copy.pem"), "first\n");
    String first = TlsMaterial.clientTls(transport("trust_cacerts: " + ca)).fingerprint();

    assertThat(TlsMaterial.clientTls(transport("trust_cacerts: " + ca)).fingerprint())
        .as("the same file read again")
        .isEqualTo(first);
    assertThat(TlsMaterial.clientTls(transport("trust_cacerts: " + copy)).fingerprint())
        .as("the same content elsewhere")
        .isNotEqualTo(first);
    Files.writeString(ca, "second\n");
    assertThat(TlsMaterial.clientTls(transport("trust_cacerts: " + ca)).fingerprint())
        .as("the file changed")
        .isNotEqualTo(first);
  }

  @Test
  void aFilesContentNeverShowsInItsDescription() {
    TlsMaterial.Pem key = new TlsMaterial.Pem("transport.client_key", "/k.pem", "SECRET");

    assertThat(key.toString()).isEqualTo("transport.client_key /k.pem").doesNotContain("SECRET");
  }
}
