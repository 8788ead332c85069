package io.keyflow.remote.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestHeadTest {
  private final RequestHead heads = new RequestHead();
  private final URI url = URI.create("http://functions:8000/statefun?x=1");

  private String head(Map<String, String> headers, int length) {
    return new String(heads.of(url, 8000, headers, length), StandardCharsets.ISO_8859_1);
  }

  @Test
  void headCarriesPathQueryHostHeadersAndTheLengthOfEachBody() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/octet-stream");
    headers.put("X-Tenant", "a");

    for (int length : new int[] {0, 7, 10, 12345, Integer.MAX_VALUE}) {
      assertThat(head(headers, length))
          .isEqualTo(
              "POST /statefun?x=1 HTTP/1.1\r\nHost: functions:8000\r\n"
                  + "Content-Type: application/octet-stream\r\nX-Tenant: a\r\n"
                  + "Content-Length: "
                  + length
                  + "\r\n\r\n");
    }
  }

  @Test
  void otherHeadersForTheSameUrlGiveAHeadOfTheirOwn() {
    assertThat(head(Map.of("X-Tenant", "a"), 1)).contains("X-Tenant: a\r\n");
    assertThat(head(Map.of("X-Tenant", "b"), 1))
        .contains("X-Tenant: b\r\n")
        .doesNotContain("X-Tenant: a");
  }

  @Test
  void aHeaderWithALineBreakIsRefused() {
    assertThatThrownBy(() -> head(Map.of("X-Evil", "a\r\nHost: other"), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-Evil");
  }
}
