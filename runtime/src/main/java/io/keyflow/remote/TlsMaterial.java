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
   * What a client of the endpoint trusts and presents: the CA certificates of {@code trust_cacerts}
   * (else the JVM's default trust store), and {@code client_cert} with {@code client_key} when set.
   *
   * @throws IllegalArgumentException naming the field when a file is missing or unreadable
   */
  static ClientTls clientTls(Transport transport) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      String trustSource;
      if (transport.trustCaCerts().isPresent()) {
        String location = transport.trustCaCerts().get();
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates("transport.trust_cacerts", location)) {
          store.setCertificateEntry("ca-" + i++, certificate);
        }
        if (i == 0) {
          throw new IllegalArgumentException(
              "transport.trust_cacerts " + location + " holds no PEM certificate");
        }
        trust.init(store);
        trustSource = "transport.trust_cacerts " + location;
      } else {
        trust.init((KeyStore) null);
        trustSource = "the JVM's default trust store (no transport.trust_cacerts)";
      }
      KeyManagerFactory keys = null;
      if (transport.clientCert().isPresent()) {
        keys =
            keyManagers(
                "transport.client_cert",
                transport.clientCert().get(),
                "transport.client_key",
                transport.clientKey().orElseThrow(),
                "client_key_password",
                transport.clientKeyPassword().orElse(null));
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
              certField, certLocation, keyField, keyLocation, passwordField, passwordLocation);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot set up TLS from " + certField + " and " + keyField + ": " + e, e);
    }
  }

  private static KeyManagerFactory keyManagers(
      String certField,
      String certLocation,
      String keyField,
      String keyLocation,
      String passwordField,
      String passwordLocation)
      throws IOException, GeneralSecurityException {
    List<Certificate> chain = certificates(certField, certLocation);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(
          certField + " " + certLocation + " holds no PEM certificate");
    }
    char[] password =
        passwordLocation != null ? text(passwordLocation).strip().toCharArray() : new char[0];
    PrivateKey key = privateKey(keyField, passwordField, keyLocation, password);
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setKeyEntry("key", key, password, chain.toArray(Certificate[]::new));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    return keys;
  }

  private static List<Certificate> certificates(String field, String location)
      throws IOException, GeneralSecurityException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    try {
      Collection<? extends Certificate> read =
          factory.generateCertificates(
              new ByteArrayInputStream(text(location).getBytes(StandardCharsets.US_ASCII)));
      return new ArrayList<>(read);
    } catch (java.security.cert.CertificateException e) {
      throw new IllegalArgumentException(
          field + " " + location + " holds no PEM certificate (" + e.getMessage() + ")", e);
    }
  }

  private static PrivateKey privateKey(
      String field, String passwordField, String location, char[] password)
      throws IOException, GeneralSecurityException {
    Matcher pem = PEM.matcher(text(location));
    if (!pem.find()) {
      throw new IllegalArgumentException(field + " " + location + " is not a PEM file");
    }
    String type = pem.group(1);
    byte[] der = Base64.getMimeDecoder().decode(pem.group(2));
    PKCS8EncodedKeySpec spec;
    switch (type) {
      case "PRIVATE KEY" -> spec = new PKCS8EncodedKeySpec(der);
      case "ENCRYPTED PRIVATE KEY" -> {
        if (password.length == 0) {
          throw new IllegalArgumentException(
              field
                  + " "
                  + location
                  + " is encrypted; name a file holding its password in "
                  + passwordField);
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
              field
                  + " "
                  + location
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
    throw new IllegalArgumentException(
        field + " " + location + " is not an RSA, EC or Ed25519 key");
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
