package io.keyflow.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpEndpointBinderTest {

  private static HttpEndpoint endpoint(String spec) {
    return (HttpEndpoint)
        new HttpEndpointBinder()
            .bind(YamlNode.parseSpec("module.yaml", HttpEndpointBinder.KIND, spec));
  }

  private static HttpEndpoint legacyEndpoint(String spec) {
    return (HttpEndpoint)
        new HttpEndpointV1Binder()
            .bind(YamlNode.parseSpec("module.yaml", HttpEndpointV1Binder.KIND, spec));
  }

  private static final String PREFIX = "module.yaml, document 1 (io.statefun.endpoints.v2/http), ";

  @Test
  void readsEveryField() {
    HttpEndpoint endpoint =
        endpoint(
            """
            functions: shop/*
            urlPathTemplate: https://fns.internal:8443/statefun/{function.name}
            maxNumBatchRequests: 500
            maxConcurrentRequests: 64
            transport:
              type: io.statefun.transports.v1/async
              call: 90s
              connect: 5s
              pool_ttl: 30s
              pool_size: 256
              payload_max_bytes: 8388608
              trust_cacerts: classpath:ca.pem
              client_cert: /etc/keyflow/client.pem
              client_key: /etc/keyflow/client.key
              client_key_password: /etc/keyflow/client.key.password
              pipelining: 8
            """);

    assertThat(endpoint.functions()).isEqualTo(new FunctionPattern.Namespace("shop"));
    assertThat(endpoint.urlPathTemplate())
        .isEqualTo("https://fns.internal:8443/statefun/{function.name}");
    assertThat(endpoint.maxNumBatchRequests()).isEqualTo(500);
    assertThat(endpoint.maxConcurrentRequests()).isEqualTo(64);
    Transport t = endpoint.transport();
    assertThat(t.type()).isEqualTo(Transport.ASYNC);
    assertThat(t.call()).isEqualTo(Duration.ofSeconds(90));
    assertThat(t.connect()).isEqualTo(Duration.ofSeconds(5));
    assertThat(t.readTimeout()).isEmpty();
    assertThat(t.poolTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(t.poolSize()).isEqualTo(256);
    assertThat(t.payloadMaxBytes()).isEqualTo(8388608L);
    assertThat(t.trustCaCerts()).contains("classpath:ca.pem");
    assertThat(t.clientCert()).contains("/etc/keyflow/client.pem");
    assertThat(t.clientKey()).contains("/etc/keyflow/client.key");
    assertThat(t.clientKeyPassword()).contains("/etc/keyflow/client.key.password");
    assertThat(t.pipelining()).isEqualTo(8);
  }

  @Test
  void pipeliningIsOffByDefaultAndAtLeastOne() {
    assertThat(Transport.defaults().pipelining()).isEqualTo(1);
    assertThatThrownBy(
            () ->
                endpoint(
                    "functions: shop/*\nurlPathTemplate: http://fns/\ntransport: {pipelining: 0}\n"))
        .hasMessageContaining(PREFIX + "spec.transport.pipelining:")
        .hasMessageContaining("1 (the default) or more");
  }

  @Test
  void protocolIsHttp1ByDefaultAndHttp2WhenAsked() {
    assertThat(Transport.defaults().protocol()).isEqualTo(HttpProtocol.HTTP1);
    HttpEndpoint endpoint =
        endpoint("functions: shop/*\nurlPathTemplate: http://fns/\ntransport: {protocol: http2}\n");

    assertThat(endpoint.transport().protocol()).isEqualTo(HttpProtocol.HTTP2);
  }

  @Test
  void anUnknownProtocolNamesTheFieldAndTheChoices() {
    assertThatThrownBy(
            () ->
                endpoint(
                    "functions: shop/*\nurlPathTemplate: http://fns/\ntransport: {protocol: h2}\n"))
        .hasMessageContaining(PREFIX + "spec.transport.protocol:")
        .hasMessageContaining("unknown protocol 'h2'")
        .hasMessageContaining("http1 (the default: HTTP/1.1) or http2");
  }

  @Test
  void http2RefusesPipelining() {
    assertThatThrownBy(
            () ->
                endpoint(
                    "functions: shop/*\nurlPathTemplate: http://fns/\n"
                        + "transport: {protocol: http2, pipelining: 4}\n"))
        .hasMessageContaining(PREFIX + "spec.transport.pipelining:")
        .hasMessageContaining("pipelining only with protocol: http1");
  }

  @Test
  void omittedFieldsTakeStateFunDefaults() {
    HttpEndpoint endpoint =
        endpoint("functions: shop/cart\nurlPathTemplate: http://fns:8000/{function.name}\n");

    assertThat(endpoint.functions()).isEqualTo(FunctionPattern.parse("shop/cart"));
    assertThat(endpoint.maxNumBatchRequests()).isEqualTo(1000);
    assertThat(endpoint.maxConcurrentRequests())
        .as("as many calls per subtask as the default pool's connections carry")
        .isEqualTo(64);
    assertThat(endpoint.transport()).isEqualTo(Transport.defaults());
  }

  @Test
  void theDefaultConcurrencyCapIsWhatTheConnectionsCarryOverHttp1AndNoneOverHttp2() {
    HttpEndpoint pipelined =
        endpoint(
            "functions: a/*\nurlPathTemplate: http://f/\n"
                + "transport: {pool_size: 8, pipelining: 4}\n");
    HttpEndpoint http2 =
        endpoint("functions: a/*\nurlPathTemplate: http://f/\ntransport: {protocol: http2}\n");
    HttpEndpoint uncapped =
        endpoint("functions: a/*\nurlPathTemplate: http://f/\nmaxConcurrentRequests: 0\n");
    HttpEndpoint capped =
        endpoint("functions: a/*\nurlPathTemplate: http://f/\nmaxConcurrentRequests: 5\n");

    assertThat(pipelined.maxConcurrentRequests()).isEqualTo(32);
    assertThat(http2.concurrencyCapped()).as("HTTP/2 multiplexes: no cap").isFalse();
    assertThat(uncapped.concurrencyCapped()).as("0 turns the cap off").isFalse();
    assertThat(capped.maxConcurrentRequests()).isEqualTo(5);
  }

  @Test
  void negativeConcurrencyCapNamesTheFieldAndTheChoices() {
    assertThatThrownBy(
            () -> endpoint("functions: a/*\nurlPathTemplate: http://f/\nmaxConcurrentRequests: -1"))
        .hasMessage(
            PREFIX
                + "spec.maxConcurrentRequests: got -1; expected a positive number of requests per"
                + " dispatcher subtask, or 0 for no cap");
  }

  @Test
  void emptyTransportObjectMeansDefaults() {
    HttpEndpoint endpoint =
        endpoint("functions: shop/*\nurlPathTemplate: http://fns/\ntransport: {}\n");

    assertThat(endpoint.transport()).isEqualTo(Transport.defaults());
  }

  @Test
  void timeoutsObjectTakesPrecedenceWithItsOwnDefaults() {
    Transport t =
        endpoint(
                """
                functions: shop/*
                urlPathTemplate: http://fns/
                transport:
                  call: 5min
                  connect: 30s
                  timeouts:
                    connect: 3s
                    read: 20s
                """)
            .transport();

    assertThat(t.call()).isEqualTo(Duration.ofMinutes(1));
    assertThat(t.connect()).isEqualTo(Duration.ofSeconds(3));
    assertThat(t.readTimeout()).contains(Duration.ofSeconds(20));
    assertThat(t.writeTimeout()).isEmpty();
  }

  @Test
  void okHttpTransportHasItsOwnDefaults() {
    Transport t =
        endpoint(
                """
                functions: shop/*
                urlPathTemplate: http://fns/
                transport:
                  type: io.statefun.transports.v1/okhttp
                """)
            .transport();

    assertThat(t).isEqualTo(Transport.okHttpDefaults());
  }

  @Test
  void okHttpTransportReadsTimeouts() {
    Transport t =
        endpoint(
                """
                functions: shop/*
                urlPathTemplate: http://fns/
                transport:
                  type: io.statefun.transports.v1/okhttp
                  timeouts: {call: 2min, write: 1min}
                """)
            .transport();

    assertThat(t.call()).isEqualTo(Duration.ofMinutes(2));
    assertThat(t.connect()).isEqualTo(Duration.ofSeconds(10));
    assertThat(t.readTimeout()).contains(Duration.ofSeconds(10));
    assertThat(t.writeTimeout()).contains(Duration.ofMinutes(1));
  }

  @Test
  void okHttpRejectsAsyncOnlyProperties() {
    assertThatThrownBy(
            () ->
                endpoint(
                    """
                    functions: shop/*
                    urlPathTemplate: http://fns/
                    transport: {type: io.statefun.transports.v1/okhttp, pool_size: 3}
                    """))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining(PREFIX + "spec.transport.pool_size:")
        .hasMessageContaining("is a property of io.statefun.transports.v1/async");
  }

  @Test
  void unknownTransportTypeListsBoth() {
    assertThatThrownBy(
            () ->
                endpoint(
                    """
                    functions: shop/*
                    urlPathTemplate: http://fns/
                    transport: {type: io.statefun.transports.v1/asyn}
                    """))
        .hasMessage(
            PREFIX
                + "spec.transport.type: unknown transport type 'io.statefun.transports.v1/asyn'"
                + " (did you mean 'io.statefun.transports.v1/async'?); expected"
                + " io.statefun.transports.v1/async (the default) or"
                + " io.statefun.transports.v1/okhttp");
  }

  @Test
  void readLongerThanCallIsRejected() {
    assertThatThrownBy(
            () ->
                endpoint(
                    """
                    functions: shop/*
                    urlPathTemplate: http://fns/
                    transport:
                      type: io.statefun.transports.v1/okhttp
                      timeouts: {call: 30s, read: 45s}
                    """))
        .hasMessage(
            PREFIX
                + "spec.transport.timeouts.read: is 45s, longer than call (30s); expected read at"
                + " most call");
  }

  @Test
  void defaultConnectLongerThanAShortCallIsRejected() {
    assertThatThrownBy(
            () -> endpoint("functions: a/*\nurlPathTemplate: http://f/\ntransport: {call: 10s}\n"))
        .hasMessageContaining("spec.transport.connect: defaults to 20s, longer than call (10s)")
        .hasMessageContaining("set connect explicitly");
  }

  @Test
  void zeroDurationIsRejected() {
    assertThatThrownBy(
            () -> endpoint("functions: a/*\nurlPathTemplate: http://f/\ntransport: {call: 0s}\n"))
        .hasMessageContaining("spec.transport.call: got 0s; expected a positive duration");
  }

  @Test
  void badDurationNamesTheValue() {
    assertThatThrownBy(
            () ->
                endpoint(
                    "functions: a/*\nurlPathTemplate: http://f/\ntransport: {call: 2 parsecs}\n"))
        .hasMessage(
            PREFIX
                + "spec.transport.call: bad duration '2 parsecs'; expected a duration such as"
                + " 30s, 500ms, 2 min");
  }

  @Test
  void clientCertWithoutClientKeyIsRejected() {
    assertThatThrownBy(
            () ->
                endpoint(
                    """
                    functions: a/*
                    urlPathTemplate: https://f/
                    transport: {client_cert: /etc/c.pem}
                    """))
        .hasMessageContaining(
            PREFIX + "spec.transport.client_key: missing while client_cert is set")
        .hasMessageContaining("client_cert and client_key together");
  }

  @Test
  void missingFunctionsSaysWhatIsAccepted() {
    assertThatThrownBy(() -> endpoint("urlPathTemplate: http://f/\n"))
        .hasMessage(
            PREFIX
                + "spec.functions: missing; expected namespace/name for one function type or"
                + " namespace/* for a whole namespace, such as shop/cart or shop/*");
  }

  @Test
  void badFunctionPatternNamesTheValue() {
    assertThatThrownBy(() -> endpoint("functions: '*/cart'\nurlPathTemplate: http://f/\n"))
        .hasMessageContaining(PREFIX + "spec.functions: '*/cart' is not a function pattern");
  }

  @Test
  void badUrlIsRejected() {
    assertThatThrownBy(() -> endpoint("functions: a/*\nurlPathTemplate: fns:8000/statefun\n"))
        .hasMessage(
            PREFIX
                + "spec.urlPathTemplate: 'fns:8000/statefun' has scheme fns, which is not"
                + " supported; expected an absolute http or https URL such as"
                + " http://functions:8000/statefun/{function.name}");
  }

  @Test
  void unknownPlaceholderIsNamed() {
    assertThatThrownBy(
            () -> endpoint("functions: a/*\nurlPathTemplate: http://f/{function.namespace}\n"))
        .hasMessageContaining(
            PREFIX + "spec.urlPathTemplate: unknown placeholder {function.namespace}")
        .hasMessageContaining("only {function.name} exists");
    assertThatThrownBy(() -> endpoint("functions: a/*\nurlPathTemplate: http://f/{id}\n"))
        .hasMessageContaining("unknown placeholder {id}");
  }

  @Test
  void unknownKeyGetsASpellingHint() {
    assertThatThrownBy(
            () ->
                endpoint("functions: a/*\nurlPathTemplate: http://f/\ntransport: {pool_tll: 3s}\n"))
        .hasMessageContaining(
            PREFIX + "spec.transport.pool_tll: unknown key 'pool_tll' (did you mean 'pool_ttl'?)")
        .hasMessageContaining("expected one of type, timeouts, call, connect, pool_ttl");
    assertThatThrownBy(() -> endpoint("functions: a/*\nurlPathTemplat: http://f/\n"))
        .hasMessageContaining(
            "spec.urlPathTemplat: unknown key 'urlPathTemplat' (did you mean"
                + " 'urlPathTemplate'?)");
  }

  @Test
  void unknownKeyInsideTimeoutsIsRejected() {
    assertThatThrownBy(
            () ->
                endpoint(
                    "functions: a/*\nurlPathTemplate: http://f/\n"
                        + "transport: {timeouts: {idle: 3s}}\n"))
        .hasMessageContaining("spec.transport.timeouts.idle: unknown key 'idle'")
        .hasMessageContaining("expected one of call, connect, read, write");
  }

  @Test
  void wrongTypeForBatchLimitNamesTheValue() {
    assertThatThrownBy(
            () -> endpoint("functions: a/*\nurlPathTemplate: http://f/\nmaxNumBatchRequests: many"))
        .hasMessage(
            PREFIX + "spec.maxNumBatchRequests: got 'many'; expected a whole number such as 1000");
  }

  @Test
  void legacyV1UsesOkHttpWithTimeoutsUnderSpec() {
    HttpEndpoint endpoint =
        legacyEndpoint(
            """
            functions: shop/cart
            urlPathTemplate: http://fns/{function.name}
            maxNumBatchRequests: 0
            timeouts:
              call: 2min
              read: 30s
            """);

    assertThat(endpoint.maxNumBatchRequests()).isZero();
    assertThat(endpoint.batchLimited()).isFalse();
    Transport t = endpoint.transport();
    assertThat(t.type()).isEqualTo(Transport.OKHTTP);
    assertThat(t.call()).isEqualTo(Duration.ofMinutes(2));
    assertThat(t.connect()).isEqualTo(Duration.ofSeconds(10));
    assertThat(t.readTimeout()).contains(Duration.ofSeconds(30));
    assertThat(t.writeTimeout()).contains(Duration.ofSeconds(10));
  }

  @Test
  void legacyV1WithoutTimeoutsTakesOkHttpDefaults() {
    assertThat(legacyEndpoint("functions: a/*\nurlPathTemplate: http://f/\n").transport())
        .isEqualTo(Transport.okHttpDefaults());
  }

  @Test
  void legacyV1RejectsTransportObject() {
    assertThatThrownBy(
            () -> legacyEndpoint("functions: a/*\nurlPathTemplate: http://f/\ntransport: {}\n"))
        .hasMessageContaining(
            "module.yaml, document 1 (io.statefun.endpoints.v1/http), spec.transport: unknown"
                + " key 'transport'");
  }

  @Test
  void failuresDefaultToDeadLetterAfterThreeAttemptsToTheLog() {
    HttpEndpoint endpoint =
        endpoint(
            """
            functions: shop/*
            urlPathTemplate: http://f/{function.name}
            """);

    assertThat(endpoint.failures()).isEqualTo(FailurePolicy.DEFAULTS);
    assertThat(endpoint.failures().deadLetterEgress()).isNull();
  }

  @Test
  void readsTheFailurePolicy() {
    HttpEndpoint endpoint =
        endpoint(
            """
            functions: shop/*
            urlPathTemplate: http://f/{function.name}
            failures:
              policy: dead-letter
              maxAttempts: 5
              deadLetter:
                egress: shop/dead-letters
                topic: shop-dlq
            """);

    assertThat(endpoint.failures())
        .isEqualTo(
            new FailurePolicy(
                FailurePolicy.Mode.DEAD_LETTER,
                5,
                TypeName.parse("shop/dead-letters"),
                "shop-dlq"));
  }

  @Test
  void failPolicyIsStateFunsBehaviour() {
    HttpEndpoint endpoint =
        endpoint(
            """
            functions: shop/*
            urlPathTemplate: http://f/{function.name}
            failures:
              policy: fail
            """);

    assertThat(endpoint.failures().mode()).isEqualTo(FailurePolicy.Mode.FAIL);
  }

  @Test
  void badFailurePolicyNamesTheFieldAndTheChoices() {
    assertThatThrownBy(
            () ->
                endpoint(
                    """
                    functions: shop/*
                    urlPathTemplate: http://f/{function.name}
                    failures:
                      policy: ignore
                    """))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining(PREFIX + "spec.failures.policy")
        .hasMessageContaining("'ignore' is not a failure policy")
        .hasMessageContaining("dead-letter or fail");
    assertThatThrownBy(
            () ->
                endpoint(
                    """
                    functions: shop/*
                    urlPathTemplate: http://f/{function.name}
                    failures:
                      maxAttempts: 0
                    """))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining(PREFIX + "spec.failures.maxAttempts")
        .hasMessageContaining("at least 1");
    assertThatThrownBy(
            () ->
                endpoint(
                    """
                    functions: shop/*
                    urlPathTemplate: http://f/{function.name}
                    failures:
                      deadLetter:
                        topic: dlq
                    """))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining(PREFIX + "spec.failures.deadLetter.egress");
  }

  @Test
  void headersAreReadAndReservedOnesRefused() {
    HttpEndpoint endpoint =
        endpoint(
            """
            functions: shop/*
            urlPathTemplate: http://f/{function.name}
            headers:
              Authorization: Bearer abc
              X-Tenant: acme
            """);

    assertThat(endpoint.headers())
        .containsExactlyInAnyOrderEntriesOf(
            java.util.Map.of("Authorization", "Bearer abc", "X-Tenant", "acme"));
    assertThatThrownBy(
            () ->
                endpoint(
                    """
                    functions: shop/*
                    urlPathTemplate: http://f/{function.name}
                    headers:
                      Content-Type: text/plain
                    """))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining(PREFIX + "spec.headers.Content-Type")
        .hasMessageContaining("set by Keyflow or by HTTP itself");
  }
}
