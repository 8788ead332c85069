package io.keyflow.testing;

import io.keyflow.cli.bench.KeytoolCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * A certificate authority, a server certificate for 127.0.0.1 and a client certificate, made at
 * test time with the JDK's keytool, plus the PEM files an endpoint's transport reads.
 */
public final class TestCertificates {
  private static final String PASSWORD = "changeit";

  /**
   * The authorities' validity: from 15 days ago to 5 days ahead, around every test's certificate.
   */
  private static final int AUTHORITY_DAYS = 20;

  private static final String AUTHORITY_START = "-15d";
  private static final int DAYS = 2;
  private static final String LOCAL_SAN = "san=ip:127.0.0.1,dns:localhost";

  /** Where the certificates of {@link #create} were made for this JVM; null until the first. */
  private static Path made;

  private final Path dir;
  private final KeytoolCertificates certificates;

  private TestCertificates(Path dir) {
    this.dir = dir;
    this.certificates = new KeytoolCertificates(dir, PASSWORD);
  }

  /**
   * The CA, the server's and the client's certificates and keys in {@code dir}, which must exist.
   * They are made once per JVM (a dozen keytool runs take seconds) and copied to each directory:
   * every test gets files of its own, with the same certificates.
   */
  public static TestCertificates create(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(madeOnce())) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return new TestCertificates(dir);
  }

  private static synchronized Path madeOnce() throws Exception {
    if (made == null) {
      Path dir = Files.createTempDirectory("keyflow-test-certificates");
      dir.toFile().deleteOnExit();
      TestCertificates certs = new TestCertificates(dir);
      certs.authority("ca");
      certs.signed("server", "CN=127.0.0.1", LOCAL_SAN, "ca", null);
      certs.signed("client", "CN=keyflow-client", null, "ca", null);
      certs.certificates.writeKeyPem("client");
      certs.certificates.writeKeyPem("server");
      try (Stream<Path> files = Files.list(dir)) {
        files.forEach(file -> file.toFile().deleteOnExit());
      }
      made = dir;
    }
    return made;
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
        case EXPIRED -> signed(name, "CN=127.0.0.1", LOCAL_SAN, "ca", "-10d");
        case OTHER_CA -> {
          authority("second-ca");
          signed(name, "CN=127.0.0.1", LOCAL_SAN, "second-ca", null);
        }
      }
    }
    return keyAndCaContext(name);
  }

  private void authority(String name) throws Exception {
    certificates.authority(name, "CN=keyflow-test-" + name, AUTHORITY_DAYS, AUTHORITY_START);
  }

  /**
   * A key pair in {@code <name>.p12} whose certificate the CA signed, chain in {@code <name>.pem}.
   */
  private void signed(String name, String dname, String san, String ca, String startDate)
      throws Exception {
    certificates.signed(name, dname, san, ca, DAYS, startDate);
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
    certificates.writeKeyPem(name);
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
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, certificates.trust("ca").getTrustManagers(), null);
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
    return new CountingServerTls(
        certificates.keys("server"), certificates.trust("ca").getTrustManagers());
  }

  /** Its own key, and the CA to trust (a server checks client certificates against it). */
  private SSLContext keyAndCaContext(String name) throws Exception {
    return certificates.serverContext(name, "ca");
  }
}
