package io.keyflow.remote.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.module.HttpProtocol;
import java.security.KeyStore;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

class TlsContextsTest {

  /** TLS material trusting the JVM's defaults, counting how often it was built. */
  private static final class Material implements ClientTlsSource {
    final String fingerprint;
    final AtomicInteger builds = new AtomicInteger();

    Material(String fingerprint) {
      this.fingerprint = fingerprint;
    }

    @Override
    public String fingerprint() {
      return fingerprint;
    }

    @Override
    public ClientTls build() {
      builds.incrementAndGet();
      try {
        TrustManagerFactory trust =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init((KeyStore) null);
        return new ClientTls(trust, "the JVM's default trust store", null);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void theSameMaterialGetsTheSameContextBuiltOnce() {
    Material first = new Material("same-" + System.nanoTime());
    Material again = new Material(first.fingerprint);

    PoolTls one = TlsContexts.context(first, HttpProtocol.HTTP1, "https://a:443");
    PoolTls two = TlsContexts.context(again, HttpProtocol.HTTP1, "https://b:443");

    assertThat(two).isSameAs(one);
    assertThat(first.builds.get() + again.builds.get()).isOne();
  }

  @Test
  void otherMaterialOrAnotherProtocolGetsAContextOfItsOwn() {
    Material material = new Material("one-" + System.nanoTime());
    Material changed = new Material("two-" + System.nanoTime());

    PoolTls http1 = TlsContexts.context(material, HttpProtocol.HTTP1, "https://a:443");

    assertThat(TlsContexts.context(changed, HttpProtocol.HTTP1, "https://a:443"))
        .isNotSameAs(http1);
    assertThat(TlsContexts.context(material, HttpProtocol.HTTP2, "https://a:443"))
        .isNotSameAs(http1);
  }

  @Test
  void atMostTheBoundIsKeptTheLeastRecentlyUsedGoingFirst() {
    String run = "bounded-" + System.nanoTime() + "-";
    Material oldest = new Material(run + "oldest");
    Material kept = new Material(run + "kept");
    TlsContexts.context(oldest, HttpProtocol.HTTP1, "https://a:443");
    TlsContexts.context(kept, HttpProtocol.HTTP1, "https://a:443");
    for (int i = 0; i < TlsContexts.MAX_CONTEXTS - 2; i++) {
      TlsContexts.context(new Material(run + i), HttpProtocol.HTTP1, "https://a:443");
    }
    // Used again: now the most recently used, so another one goes instead of it.
    TlsContexts.context(kept, HttpProtocol.HTTP1, "https://a:443");
    TlsContexts.context(new Material(run + "one more"), HttpProtocol.HTTP1, "https://a:443");

    assertThat(TlsContexts.size()).isEqualTo(TlsContexts.MAX_CONTEXTS);
    TlsContexts.context(kept, HttpProtocol.HTTP1, "https://a:443");
    TlsContexts.context(oldest, HttpProtocol.HTTP1, "https://a:443");
    assertThat(kept.builds.get()).as("kept").isOne();
    assertThat(oldest.builds.get()).as("dropped, so built again").isEqualTo(2);
  }
}
