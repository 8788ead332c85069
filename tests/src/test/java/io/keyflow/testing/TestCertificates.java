package io.keyflow.testing;

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
 * A certificate authority, a server certificate for 127.0.0.1 and a client certificate, made at
 * test time with the JDK's keytool, plus the PEM files an endpoint's transport reads.
 */
public final class TestCertificates {
  private static final String PASSWORD = "changeit";

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  public static TestCertificates create(Path dir) throws Exception {
    TestCertificates certs = new TestCertificates(dir);
    certs.authority("ca");
    certs.signed("server", "CN=127.0.0.1", "san=ip:127.0.0.1,dns:localhost");
    certs.signed("client", "CN=keyflow-client", null);
    certs.writeKeyPem("client");
    certs.writeKeyPem("server");
    return certs;
  }

  /** A server certificate that breaks one rule of TLS, for tests of the errors it causes. */
  public enum BadServerCertificate {
    /** Names only {@code elsewhere.example}, not 127.0.0.1. */
    WRONG_HOST,
    /** Expired days ago. */
    EXPIRED,
    /** Signed by another CA than the one the client trusts. */
    OTHER_CA
  }

  /**
   * The TLS context of a server presenting {@code bad}, which otherwise checks client certificates
   * against the CA like {@link #serverContext()}.
   */
  public SSLContext serverContext(BadServerCertificate bad) throws Exception {
    String name = bad.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    if (!Files.exists(dir.resolve(name + ".p12"))) {
      switch (bad) {
        case WRONG_HOST ->
            signed(name, "CN=elsewhere.example", "san=dns:elsewhere.example", "ca", null);
        case EXPIRED ->
            signed(name, "CN=127.0.0.1", "san=ip:127.0.0.1,dns:localhost", "ca", "-10d");
        case OTHER_CA -> {
          authority("second-ca");
          signed(name, "CN=127.0.0.1", "san=ip:127.0.0.1,dns:localhost", "second-ca", null);
        }
      }
    }
    return keyAndCaContext(name);
  }

  private void authority(String name) throws Exception {
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=keyflow-test-" + name,
        "-ext",
        "bc:c",
        "-validity",
        "20",
        "-startdate",
        "-15d",
        "-keystore",
        name + ".p12",
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        name + ".p12",
        "-storepass",
        PASSWORD,
        "-file",
        name + ".pem");
  }

  private void signed(String name, String dname, String san) throws Exception {
    signed(name, dname, san, "ca", null);
  }

  /**
   * A key pair in {@code <name>.p12} whose certificate the CA signed, chain in {@code <name>.pem}.
   */
  private void signed(String name, String dname, String san, String ca, String startDate)
      throws Exception {
    String store = name + ".p12";
    keytool(
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
        "2",
        "-keystore",
        store,
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
    keytool(
        "-certreq",
        "-alias",
        name,
        "-keystore",
        store,
        "-storepass",
        PASSWORD,
        "-file",
        name + ".csr");
    List<String> sign =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-alias",
                ca,
                "-keystore",
                ca + ".p12",
                "-storepass",
                PASSWORD,
                "-infile",
                name + ".csr",
                "-outfile",
                name + ".crt",
                "-rfc",
                "-validity",
                "2"));
    if (san != null) {
      sign.addAll(List.of("-ext", san));
    }
    if (startDate != null) {
      sign.addAll(List.of("-startdate", startDate));
    }
    keytool(sign.toArray(String[]::new));
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        ca,
        "-file",
        ca + ".pem",
        "-keystore",
        store,
        "-storepass",
        PASSWORD);
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        name,
        "-file",
        name + ".crt",
        "-keystore",
        store,
        "-storepass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        store,
        "-storepass",
        PASSWORD,
        "-file",
        name + ".pem");
  }

  /** The private key of {@code <name>.p12} as an unencrypted PKCS#8 PEM file. */
  private void writeKeyPem(String name) throws Exception {
    KeyStore store = keyStore(name + ".p12");
    Key key = store.getKey(name, PASSWORD.toCharArray());
    String pem =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded())
            + "\n-----END PRIVATE KEY-----\n";
    Files.writeString(dir.resolve(name + ".key"), pem);
  }

  /**
   * Another client certificate, {@code CN=<name>}, and its key, written as {@code <name>.pem} and
   * {@code <name>.key} (see {@link #certPem} and {@link #keyPem}): signed by the CA the server
   * trusts, or else by a second CA it does not.
   */
  public void createClient(String name, boolean trusted) throws Exception {
    String ca = trusted ? "ca" : "second-ca";
    if (!Files.exists(dir.resolve(ca + ".p12"))) {
      authority(ca);
    }
    signed(name, "CN=" + name, null, ca, null);
    writeKeyPem(name);
  }

  /** The certificate of {@code name} as PEM. */
  public Path certPem(String name) {
    return dir.resolve(name + ".pem");
  }

  /** The private key of {@code name} as an unencrypted PKCS#8 PEM file. */
  public Path keyPem(String name) {
    return dir.resolve(name + ".key");
  }

  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  public Path clientCertPem() {
    return dir.resolve("client.pem");
  }

  public Path clientKeyPem() {
    return dir.resolve("client.key");
  }

  /** The server's certificate (for 127.0.0.1 and localhost), signed by the CA, as PEM. */
  public Path serverCertPem() {
    return dir.resolve("server.pem");
  }

  /** The server's private key as an unencrypted PKCS#8 PEM file. */
  public Path serverKeyPem() {
    return dir.resolve("server.key");
  }

  /** A client's TLS context that trusts the CA, and nothing else. */
  public SSLContext trustingContext() throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(keyStore("ca.p12"));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /** A client's TLS context: the client's key and certificate, and the CA to trust. */
  public SSLContext clientContext() throws Exception {
    return keyAndCaContext("client");
  }

  /** The server's TLS context: its own key, and the CA to check client certificates against. */
  public SSLContext serverContext() throws Exception {
    return keyAndCaContext("server");
  }

  /**
   * The server's TLS context as {@link #serverContext()}, counting the connections it accepts and
   * their full handshakes.
   */
  public CountingServerTls countingServerContext() throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(keyStore("server.p12"), PASSWORD.toCharArray());
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(keyStore("ca.p12"));
    return new CountingServerTls(keys, trust.getTrustManagers());
  }

  private SSLContext keyAndCaContext(String name) throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(keyStore(name + ".p12"), PASSWORD.toCharArray());
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(keyStore("ca.p12"));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  private KeyStore keyStore(String file) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve(file))) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }
}
