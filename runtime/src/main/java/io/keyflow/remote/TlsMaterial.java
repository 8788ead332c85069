package io.keyflow.remote;

import io.keyflow.module.Transport;
import io.keyflow.remote.http.ClientTls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds {@link SSLContext}s from PEM files. For an endpoint, from its transport: {@code
 * trust_cacerts} (CA certificates to trust instead of the JVM's defaults), and {@code client_cert}
 * with {@code client_key} (a PKCS#8 key, encrypted when {@code client_key_password} names a file
 * holding the password) for mutual TLS. For a server that Keyflow runs (the HTTP gateway), from a
 * certificate chain and its PKCS#8 key. Locations are paths, {@code file:} URLs or {@code
 * classpath:} resources.
 */
public final class TlsMaterial {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

  private TlsMaterial() {}

  /**
   * The text of one TLS file: the field that names it, its location and what it holds. Its string
   * form names the field and location only, never the content (a key, a password).
   */
  record Pem(String field, String location, String text) {
    @Override
    public String toString() {
      return field + " " + location;
    }
  }

  /**
   * The TLS files of the endpoint, read now: {@code trust_cacerts} (CA certificates to trust, else
   * the JVM's default trust store), and {@code client_cert} with {@code client_key} (and {@code
   * client_key_password}) when set. They are turned into trust and key managers by {@link
   * ClientTlsFiles#build}, only when no TLS context for the same content exists in the JVM yet.
   *
   * @throws IllegalArgumentException naming the field when a file is missing or unreadable
   */
  static ClientTlsFiles clientTls(Transport transport) {
    try {
      return new ClientTlsFiles(
          read("transport.trust_cacerts", transport.trustCaCerts().orElse(null)),
          read("transport.client_cert", transport.clientCert().orElse(null)),
          read("transport.client_key", transport.clientKey().orElse(null)),
          read("transport.client_key_password", transport.clientKeyPassword().orElse(null)));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot set up TLS for the endpoint (transport.trust_cacerts, client_cert, client_key): "
              + e,
          e);
    }
  }

  /**
   * What a client of the endpoint trusts and presents, from its files: the CA certificates of
   * {@code trust_cacerts} (else the JVM's default trust store), and {@code client_cert} with {@code
   * client_key} when set.
   *
   * @throws IllegalArgumentException naming the field when a file holds no certificate or a key
   *     Keyflow cannot read
   */
  static ClientTls managers(ClientTlsFiles files) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      String trustSource;
      if (files.trustCaCerts() != null) {
        Pem cas = files.trustCaCerts();
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates(cas)) {
          store.setCertificateEntry("ca-" + i++, certificate);
        }
        if (i == 0) {
          throw new IllegalArgumentException(cas + " holds no PEM certificate");
        }
        trust.init(store);
        trustSource = cas.toString();
      } else {
        trust.init((KeyStore) null);
        trustSource = "the JVM's default trust store (no transport.trust_cacerts)";
      }
      ClientKeyManager keys = null;
      if (files.clientCert() != null) {
        X509Certificate[] chain = chain(files.clientCert());
        char[] password = password(files.clientKeyPassword());
        keys =
            new ClientKeyManager(
                privateKey(files.clientKey(), "client_key_password", password), chain);
      }
      return new ClientTls(trust, trustSource, keys);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot set up TLS for the endpoint (transport.trust_cacerts, client_cert, client_key): "
              + e,
          e);
    }
  }

  /**
   * The TLS context of a server: the certificate chain in {@code certLocation} (PEM) presented with
   * the PKCS#8 key in {@code keyLocation}, which is encrypted when {@code passwordLocation}
   * (nullable) names a file holding its password. The field names say, in error messages, where the
   * locations were configured.
   *
   * @throws IllegalArgumentException naming the field when a file is missing, holds no certificate,
   *     or holds a key Keyflow cannot read (with the command that converts it)
   */
  public static SSLContext serverContext(
      String certField,
      String certLocation,
      String keyField,
      String keyLocation,
      String passwordField,
      String passwordLocation) {
    try {
      KeyManagerFactory keys =
          keyManagers(
              read(certField, certLocation),
              read(keyField, keyLocation),
              passwordField,
              read(passwordField, passwordLocation));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot set up TLS from " + certField + " and " + keyField + ": " + e, e);
    }
  }

  /**
   * The key of {@code key} (a PKCS#8 PEM, encrypted when {@code password}, nullable, holds its
   * password; {@code passwordField} names where that is set) with the certificate chain of {@code
   * cert}.
   */
  private static KeyManagerFactory keyManagers(
      Pem cert, Pem key, String passwordField, Pem password)
      throws IOException, GeneralSecurityException {
    X509Certificate[] chain = chain(cert);
    char[] secret = password(password);
    PrivateKey privateKey = privateKey(key, passwordField, secret);
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setKeyEntry("key", privateKey, secret, chain);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, secret);
    return keys;
  }

  /** The certificates of {@code cert}, the first one's own first; at least one. */
  private static X509Certificate[] chain(Pem cert) throws GeneralSecurityException {
    List<Certificate> chain = certificates(cert);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(cert + " holds no PEM certificate");
    }
    return chain.toArray(X509Certificate[]::new);
  }

  /** The password in {@code file} (nullable: none), surrounding white space left out. */
  private static char[] password(Pem file) {
    return file != null ? file.text().strip().toCharArray() : new char[0];
  }

  private static List<Certificate> certificates(Pem file) throws GeneralSecurityException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    try {
      Collection<? extends Certificate> read =
          factory.generateCertificates(
              new ByteArrayInputStream(file.text().getBytes(StandardCharsets.US_ASCII)));
      return new ArrayList<>(read);
    } catch (java.security.cert.CertificateException e) {
      throw new IllegalArgumentException(
          file + " holds no PEM certificate (" + e.getMessage() + ")", e);
    }
  }

  private static PrivateKey privateKey(Pem file, String passwordField, char[] password)
      throws IOException, GeneralSecurityException {
    Matcher pem = PEM.matcher(file.text());
    if (!pem.find()) {
      throw new IllegalArgumentException(file + " is not a PEM file");
    }
    String type = pem.group(1);
    byte[] der = Base64.getMimeDecoder().decode(pem.group(2));
    PKCS8EncodedKeySpec spec;
    switch (type) {
      case "PRIVATE KEY" -> spec = new PKCS8EncodedKeySpec(der);
      case "ENCRYPTED PRIVATE KEY" -> {
        if (password.length == 0) {
          throw new IllegalArgumentException(
              file + " is encrypted; name a file holding its password in " + passwordField);
        }
        EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
        // PBES2 keys report "PBES2" as algorithm; their parameters name the actual scheme.
        String algorithm =
            info.getAlgName().equals("PBES2") || info.getAlgName().equals("1.2.840.113549.1.5.13")
                ? info.getAlgParameters().toString()
                : info.getAlgName();
        SecretKeyFactory factory = SecretKeyFactory.getInstance(algorithm);
        Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(
            Cipher.DECRYPT_MODE,
            factory.generateSecret(new PBEKeySpec(password)),
            info.getAlgParameters());
        spec = info.getKeySpec(cipher);
      }
      default ->
          throw new IllegalArgumentException(
              file
                  + " holds a '"
                  + type
                  + "' block; Keyflow reads PKCS#8 keys ('PRIVATE KEY' or 'ENCRYPTED PRIVATE"
                  + " KEY'). Convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out"
                  + " key.pk8.pem");
    }
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // Try the next key type.
      }
    }
    throw new IllegalArgumentException(file + " is not an RSA, EC or Ed25519 key");
  }

  /** The file {@code field} names at {@code location} (nullable: then null), read now. */
  private static Pem read(String field, String location) throws IOException {
    return location == null ? null : new Pem(field, location, text(location));
  }

  /** The text at a location: a path, a {@code file:} URL or a {@code classpath:} resource. */
  private static String text(String location) throws IOException {
    if (location.startsWith("classpath:")) {
      String name = location.substring("classpath:".length()).replaceFirst("^/", "");
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      try (InputStream in =
          (loader != null ? loader : TlsMaterial.class.getClassLoader())
              .getResourceAsStream(name)) {
        if (in == null) {
          throw new IOException("no classpath resource " + name);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    Path path =
        location.startsWith("file:") ? Path.of(java.net.URI.create(location)) : Path.of(location);
    return Files.readString(path);
  }
}
