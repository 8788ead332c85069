package io.keyflow.remote.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestHeadsTest {

  private static HttpHeaders headers() {
    return new DefaultHttpHeaders()
        .set("Host", "fn.example:8000")
        .set("Content-Type", "application/octet-stream")
        .set("Content-Length", "99");
  }

  @Test
  void headIsTheRequestLineAndEveryHeaderButContentLength() {
    byte[] head = RequestHeads.encode("/statefun/cart?x=1", headers());

    assertThat(new String(head, StandardCharsets.US_ASCII))
        .isEqualTo(
            "POST /statefun/cart?x=1 HTTP/1.1\r\n"
                + "Host: fn.example:8000\r\n"
                + "Content-Type: application/octet-stream\r\n");
  }

  @Test
  void headIsEncodedOncePerPathAndHeadersObject() {
    RequestHeads heads = new RequestHeads();
    HttpHeaders route = headers();

    byte[] first = heads.head("/cart", route);

    assertThat(heads.head("/cart", route)).isSameAs(first);
    assertThat(heads.head("/counter", route)).isNotSameAs(first);
    HttpHeaders traced = headers().set("traceparent", "00-abc-def-01");
    assertThat(new String(heads.head("/cart", traced), StandardCharsets.US_ASCII))
        .contains("traceparent: 00-abc-def-01\r\n");
    assertThat(new String(heads.head("/cart", route), StandardCharsets.US_ASCII))
        .doesNotContain("traceparent");
  }
}
