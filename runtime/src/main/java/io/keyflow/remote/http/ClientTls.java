package io.keyflow.remote.http;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a client presents and trusts over TLS.
 *
 * @param trust the CA certificates to trust, already initialised
 * @param trustSource where they came from, for error messages ({@code transport.trust_cacerts: ...}
 *     or the JVM's default trust store)
 * @param keys presents the client certificate and key for mutual TLS, or null for none
 */
public record ClientTls(TrustManagerFactory trust, String trustSource, KeyManager keys) {}
