package io.keyflow.io.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayRoutesTest {

  @Test
  void pathSegmentsAreDecodedOneByOneSoAnIdMayContainASlash() {
    assertThat(GatewayRoutes.segments("/v1/functions/shop/cart/a%2Fb"))
        .containsExactly("v1", "functions", "shop", "cart", "a/b");
    assertThat(GatewayRoutes.segments("/v1/functions/shop/cart/a+b%20c"))
        .containsExactly("v1", "functions", "shop", "cart", "a+b c");
    assertThat(GatewayRoutes.segments("/v1/functions/shop/cart/"))
        .containsExactly("v1", "functions", "shop", "cart", "");
  }

  @Test
  void aTypenameIsItsOwnContentTypeWhenItHasTheShapeOfOne() {
    assertThat(Responses.contentType("shop.types/CartView")).isEqualTo("shop.types/CartView");
    assertThat(Responses.contentType("type.googleapis.com/x.Y"))
        .isEqualTo("type.googleapis.com/x.Y");
    assertThat(Responses.contentType("odd/na me")).isEqualTo("application/octet-stream");
  }

  @Test
  void errorsAreJsonWithEscapedText() {
    assertThat(Responses.quote("a \"b\"\n\\")).isEqualTo("\"a \\\"b\\\"\\n\\\\\"");
  }
}
