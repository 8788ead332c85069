package io.keyflow.cli.bench;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made with the JDK's keytool in one directory, for benchmarks and tests over TLS:
 * certificate authorities, key pairs they sign, and the PEM files an endpoint's transport reads.
 * Every key pair {@code <name>} lives in {@code <name>.p12} (PKCS#12, one password for all), with
 * its certificate (chain) in {@code <name>.pem}.
 */
public final class KeytoolCertificates {
  private final Path dir;
  private final String password;

  /** Makes and reads certificates in {@code dir}, which must exist. */
  public KeytoolCertificates(Path dir, String password) {
    this.dir = dir;
    this.password = password;
  }

  /** The directory of the files. */
  public Path directory() {
    return dir;
  }

  /**
   * A self-signed certificate authority {@code name}.
   *
   * @param days how long it is valid
   * @param startDate keytool's {@code -startdate} (such as {@code -15d}), or null for now
   */
  public void authority(String name, String dname, int days, String startDate) throws Exception {
    List<String> generate = keyPair(name, dname, days);
    generate.addAll(List.of("-ext", "bc:c"));
    if (startDate != null) {
      generate.addAll(List.of("-startdate", startDate));
    }
    generate.addAll(List.of("-keystore", name + ".p12", "-storetype", "PKCS12"));
    keytool(generate);
    exportPem(name);
  }

  /**
   * A key pair {@code name} whose certificate the authority {@code ca} signed; its store holds the
   * CA's certificate too.
   *
   * @param san keytool's subject alternative names ({@code san=ip:127.0.0.1,dns:localhost}), or
   *     null for none
   * @param days how long the certificate is valid
   * @param startDate keytool's {@code -startdate} of the signed certificate, or null for now
   */
  public void signed(String name, String dname, String san, String ca, int days, String startDate)
      throws Exception {
    String store = name + ".p12";
    List<String> generate = keyPair(name, dname, days);
    generate.addAll(List.of("-keystore", store, "-storetype", "PKCS12"));
    keytool(generate);
    keytool(List.of("-certreq", "-alias", name, "-keystore", store, "-file", name + ".csr"));
    List<String> sign =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-alias",
                ca,
                "-keystore",
                ca + ".p12",
                "-infile",
                name + ".csr",
                "-outfile",
                name + ".crt",
                "-rfc",
                "-validity",
                String.valueOf(days)));
    if (san != null) {
      sign.addAll(List.of("-ext", san));
    }
    if (startDate != null) {
      sign.addAll(List.of("-startdate", startDate));
    }
    keytool(sign);
    keytool(
        List.of(
            "-importcert", "-noprompt", "-alias", ca, "-file", ca + ".pem", "-keystore", store));
    keytool(
        List.of(
            "-importcert",
            "-noprompt",
            "-alias",
            name,
            "-file",
            name + ".crt",
            "-keystore",
            store));
    exportPem(name);
  }

  private void exportPem(String name) throws Exception {
    keytool(
        List.of(
            "-exportcert",
            "-rfc",
            "-alias",
            name,
            "-keystore",
            name + ".p12",
            "-file",
            name + ".pem"));
  }

  /**
   * Writes the private key of {@code name} as an unencrypted PKCS#8 PEM file, {@code <name>.key}.
   */
  public Path writeKeyPem(String name) throws Exception {
    Key key = keyStore(name).getKey(name, password.toCharArray());
    return Files.writeString(
        dir.resolve(name + ".key"),
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
  }

  /** The key managers of the key pair {@code name}. */
  public KeyManagerFactory keys(String name) throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(keyStore(name), password.toCharArray());
    return keys;
  }

  /** Trust managers that trust the authority {@code ca} and nothing else. */
  public TrustManagerFactory trust(String ca) throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(keyStore(ca));
    return trust;
  }

  /**
   * The TLS context of a server presenting the key pair {@code name} that checks client
   * certificates against the authority {@code ca}.
   */
  public SSLContext serverContext(String name, String ca) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys(name).getKeyManagers(), trust(ca).getTrustManagers(), null);
    return context;
  }

  private KeyStore keyStore(String name) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
      store.load(in, password.toCharArray());
    }
    return store;
  }

  /** Runs keytool in the directory with {@code args} and the store password. */
  private void keytool(List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(args);
    command.addAll(List.of("-storepass", password));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }

  /** keytool's arguments for a new 2048-bit RSA key pair {@code name}, before the store's. */
  private static List<String> keyPair(String name, String dname, int days) {
    return new ArrayList<>(
        List.of(
            "-genkeypair",
            "-alias",
            name,
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-dname",
            dname,
            "-validity",
            String.valueOf(days)));
  }
}
