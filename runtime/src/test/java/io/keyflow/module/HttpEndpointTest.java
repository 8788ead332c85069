package io.keyflow.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class HttpEndpointTest {

  private static final FunctionPattern SHOP = FunctionPattern.parse("shop/*");

  @Test
  void urlForReplacesEveryFunctionNamePlaceholder() {
    HttpEndpoint endpoint =
        HttpEndpoint.of(SHOP, "http://{function.name}.fns:8000/statefun/{function.name}?x=1");

    assertThat(endpoint.urlFor(TypeName.parse("shop/cart")))
        .isEqualTo(URI.create("http://cart.fns:8000/statefun/cart?x=1"));
  }

  @Test
  void urlForKeepsATemplateWithoutPlaceholder() {
    HttpEndpoint endpoint = HttpEndpoint.of(SHOP, "https://gateway/statefun");

    assertThat(endpoint.urlFor(TypeName.parse("shop/cart")))
        .isEqualTo(URI.create("https://gateway/statefun"));
  }

  @Test
  void anEndpointMadeInCodeHasTheDefaultConcurrencyCapOfItsTransport() {
    Transport http1 = Transport.defaults();
    Transport http2 = http1.withProtocol(HttpProtocol.HTTP2);

    assertThat(HttpEndpoint.of(SHOP, "http://f/").maxConcurrentRequests())
        .isEqualTo(http1.poolSize() * http1.pipelining());
    assertThat(new HttpEndpoint(SHOP, "http://f/", 10, http2).concurrencyCapped()).isFalse();
  }

  @Test
  void batchLimitOfZeroOrLessMeansUnlimitedAndIsKeptAsGiven() {
    HttpEndpoint unlimited = new HttpEndpoint(SHOP, "http://f/", 0, Transport.defaults());
    HttpEndpoint negative = new HttpEndpoint(SHOP, "http://f/", -5, Transport.defaults());

    assertThat(unlimited.batchLimited()).isFalse();
    assertThat(negative.batchLimited()).isFalse();
    assertThat(negative.maxNumBatchRequests()).isEqualTo(-5);
    assertThat(HttpEndpoint.of(SHOP, "http://f/").batchLimited()).isTrue();
    assertThat(HttpEndpoint.of(SHOP, "http://f/").maxNumBatchRequests()).isEqualTo(1000);
  }

  @Test
  void rejectsPlaceholdersOtherThanFunctionName() {
    assertThatThrownBy(() -> HttpEndpoint.of(SHOP, "http://f/{function.namespace}/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown placeholder {function.namespace}")
        .hasMessageContaining("only {function.name} exists");
  }

  @Test
  void rejectsUrlsThatAreNotAbsoluteHttp() {
    assertThatThrownBy(() -> HttpEndpoint.of(SHOP, "functions:8000/{function.name}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scheme functions");
    assertThatThrownBy(() -> HttpEndpoint.of(SHOP, "/statefun/{function.name}"))
        .hasMessageContaining("has no scheme");
    assertThatThrownBy(() -> HttpEndpoint.of(SHOP, "http+unix:///tmp/fn.sock/{function.name}"))
        .hasMessageContaining("http+unix");
    assertThatThrownBy(() -> HttpEndpoint.of(SHOP, "http:///statefun"))
        .hasMessageContaining("has no host");
  }

  @Test
  void isSerializable() throws Exception {
    HttpEndpoint endpoint = HttpEndpoint.of(SHOP, "http://f/{function.name}");

    assertThat(Serialization.roundTrip(endpoint)).isEqualTo(endpoint);
  }
}
