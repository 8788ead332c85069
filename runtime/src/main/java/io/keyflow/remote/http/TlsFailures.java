package io.keyflow.remote.http;

import io.keyflow.remote.http.TlsConfigurationException.Kind;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * Tells a TLS failure that retrying cannot fix (a certificate problem on either side) from one that
 * may pass (a reset, a timeout during the handshake), and words the former for an operator.
 */
final class TlsFailures {
  /** Alerts a server sends when it will not accept the client's certificate. */
  private static final Set<String> CLIENT_CERTIFICATE_ALERTS =
      Set.of(
          "bad_certificate",
          "unsupported_certificate",
          "certificate_revoked",
          "certificate_expired",
          "certificate_unknown",
          "unknown_ca",
          "access_denied",
          "certificate_required");

  private TlsFailures() {}

  /**
   * The configuration error behind {@code error}, or null if it is not one.
   *
   * @param endpoint the scheme, host and port, for the message
   * @param host the host the client connected to
   * @param rejected the server's chain the client's trust manager rejected, or null
   * @param tls what the client trusts and presents
   */
  static TlsConfigurationException classify(
      Throwable error, String endpoint, String host, X509Certificate[] rejected, ClientTls tls) {
    if (rejected != null && rejected.length > 0) {
      return serverCertificate(error, endpoint, host, rejected, tls);
    }
    String alert = fatalAlert(error);
    if (alert != null && CLIENT_CERTIFICATE_ALERTS.contains(alert)) {
      String presented =
          tls.keys() == null
              ? "Keyflow presented no client certificate: set transport.client_cert and"
                  + " transport.client_key"
              : "check that transport.client_cert is signed by a CA the server trusts, is valid"
                  + " now, and is the certificate of transport.client_key";
      return new TlsConfigurationException(
          Kind.CLIENT_CERTIFICATE_REFUSED,
          "TLS to "
              + endpoint
              + " failed and retrying cannot fix it: the server refused the client certificate"
              + " (TLS alert "
              + alert
              + "). Fix: "
              + presented
              + ".",
          error);
    }
    return null;
  }

  private static TlsConfigurationException serverCertificate(
      Throwable error, String endpoint, String host, X509Certificate[] chain, ClientTls tls) {
    X509Certificate leaf = chain[0];
    String described = describe(leaf);
    Instant now = Instant.now();
    for (X509Certificate certificate : chain) {
      try {
        certificate.checkValidity();
      } catch (CertificateException e) {
        boolean expired = certificate.getNotAfter().toInstant().isBefore(now);
        return new TlsConfigurationException(
            Kind.CERTIFICATE_NOT_VALID_NOW,
            "TLS to "
                + endpoint
                + " failed and retrying cannot fix it: the server's certificate"
                + (certificate == leaf
                    ? ""
                    : " chain holds " + certificate.getSubjectX500Principal().getName() + ", which")
                + (expired ? " expired on " : " is not valid before ")
                + (expired ? certificate.getNotAfter() : certificate.getNotBefore()).toInstant()
                + " ("
                + described
                + "). Fix: give the server a certificate valid now (and check this machine's"
                + " clock).",
            error);
      }
    }
    String reason = rootMessage(error).toLowerCase(Locale.ROOT);
    if (reason.contains("subject alternative") || reason.contains("no name matching")) {
      boolean ip = host.matches("[0-9.]+") || host.contains(":");
      return new TlsConfigurationException(
          Kind.HOST_NAME_MISMATCH,
          "TLS to "
              + endpoint
              + " failed and retrying cannot fix it: the server's certificate does not name "
              + (ip ? "the IP address " : "the host ")
              + host
              + " ("
              + described
              + "). Fix: call the endpoint by a name the certificate lists among its SANs, or give"
              + " the server a certificate whose SANs include "
              + (ip ? "IP:" : "DNS:")
              + host
              + (ip ? " (an IP address must be listed as an IP SAN)" : "")
              + "; the subject's CN is not checked.",
          error);
    }
    return new TlsConfigurationException(
        Kind.UNTRUSTED_CERTIFICATE,
        "TLS to "
            + endpoint
            + " failed and retrying cannot fix it: the server's certificate is not signed by a CA"
            + " Keyflow trusts ("
            + described
            + "; trusted: "
            + tls.trustSource()
            + "). Fix: set transport.trust_cacerts to the PEM file of the CA that issued it.",
        error);
  }

  /** Subject, SANs, issuer and validity of a certificate, in one line. */
  static String describe(X509Certificate certificate) {
    return "subject "
        + certificate.getSubjectX500Principal().getName()
        + ", SANs "
        + sans(certificate)
        + ", issuer "
        + certificate.getIssuerX500Principal().getName()
        + ", valid "
        + certificate.getNotBefore().toInstant()
        + " to "
        + certificate.getNotAfter().toInstant();
  }

  private static List<String> sans(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> all = certificate.getSubjectAlternativeNames();
      if (all != null) {
        for (List<?> entry : all) {
          int type = (Integer) entry.get(0);
          String prefix = type == 2 ? "DNS:" : type == 7 ? "IP:" : "type" + type + ":";
          names.add(prefix + entry.get(1));
        }
      }
    } catch (CertificateParsingException e) {
      names.add("(unreadable: " + e.getMessage() + ")");
    }
    return names;
  }

  /** The fatal TLS alert the peer sent, such as {@code bad_certificate}, or null. */
  private static String fatalAlert(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SSLException && t.getMessage() != null) {
        String message = t.getMessage();
        int at = message.indexOf("Received fatal alert: ");
        if (at >= 0) {
          return message.substring(at + "Received fatal alert: ".length()).trim();
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String rootMessage(Throwable error) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
      if (t.getMessage() != null) {
        all.append(t.getMessage()).append(' ');
      }
    }
    return all.toString();
  }
}
