package io.keyflow.testkit.unit;

import static io.keyflow.testkit.unit.CounterFunctions.COUNT;
import static io.keyflow.testkit.unit.CounterFunctions.COUNTER;
import static io.keyflow.testkit.unit.CounterFunctions.ECHO;
import static io.keyflow.testkit.unit.CounterFunctions.FORGETFUL;
import static io.keyflow.testkit.unit.CounterFunctions.LAST;
import static io.keyflow.testkit.unit.CounterFunctions.OUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.keyflow.testkit.Value;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.apache.flink.statefun.sdk.java.slice.Slices;
import org.apache.flink.statefun.sdk.java.types.Types;
import org.junit.jupiter.api.Test;

class FunctionTesterTest {
  private final FunctionTester tester = FunctionTester.of(CounterFunctions.functions());

  @Test
  void stateAfterIsTheGivenStateWithTheMutationsApplied() {
    InvocationResult result =
        tester.invoke(COUNTER, "a").withState(COUNT, 41).message(Types.stringType(), "inc").call();

    assertThat(result.state(COUNT)).hasValue(42);
    assertThat(result.state(LAST)).hasValue("inc");
    assertThat(result.stateAfter()).containsOnlyKeys("count", "last");
  }

  @Test
  void aValueTheTestDoesNotGiveIsAbsentAndADeleteRemovesIt() {
    InvocationResult counted =
        tester.invoke(COUNTER, "a").message(Types.stringType(), "inc").call();
    assertThat(counted.state(COUNT)).hasValue(1);

    InvocationResult reset =
        tester
            .invoke(COUNTER, "a")
            .withStateOf(counted)
            .message(Types.stringType(), "reset")
            .call();
    assertThat(reset.state(COUNT)).isEmpty();
    assertThat(reset.state(LAST)).hasValue("reset");
  }

  @Test
  void aBatchOfMessagesRunsInOrderInOneCall() {
    InvocationResult result =
        tester
            .invoke(COUNTER, "a")
            .message(Types.stringType(), "inc")
            .message(Types.stringType(), "inc")
            .message(Types.stringType(), "inc")
            .call();

    assertThat(result.state(COUNT)).hasValue(3);
    assertThat(result.kafkaRecords())
        .extracting(KafkaRecord::utf8Value)
        .containsExactly("1", "2", "3");
  }

  @Test
  void messagesToFunctionsKeepTheirTargetAndValue() {
    InvocationResult result =
        tester.invoke(COUNTER, "a").message(Types.stringType(), "forward").call();

    assertThat(result.sent()).hasSize(1);
    SentMessage sent = result.sent().get(0);
    assertThat(sent.target()).isEqualTo(new Address(ECHO, "a"));
    assertThat(sent.value().as(Types.stringType())).isEqualTo("hello");
    assertThat(sent.toString())
        .isEqualTo("to test/echo/a: io.statefun.types/string " + quoted(sent));
  }

  @Test
  void delayedMessagesCarryTheirDelayAndCancellationToken() {
    InvocationResult remind =
        tester.invoke(COUNTER, "a").message(Types.stringType(), "remind").call();
    InvocationResult later =
        tester.invoke(COUNTER, "a").message(Types.stringType(), "later").call();
    InvocationResult cancel =
        tester.invoke(COUNTER, "a").message(Types.stringType(), "cancel").call();

    DelayedMessage reminder = remind.delayed().get(0);
    assertThat(reminder.target()).isEqualTo(new Address(COUNTER, "a"));
    assertThat(reminder.delay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(reminder.cancellationToken()).isEqualTo("remind-a");
    assertThat(reminder.value().as(Types.stringType())).isEqualTo("inc");
    assertThat(later.delayed().get(0).cancellationToken()).isEmpty();
    assertThat(cancel.cancelled()).containsExactly("remind-a");
    assertThat(cancel.delayed()).isEmpty();
  }

  @Test
  void kafkaAndGenericEgressRecordsAreDecoded() {
    InvocationResult kafka = tester.invoke(COUNTER, "a").message(Types.stringType(), "inc").call();
    InvocationResult generic =
        tester.invoke(COUNTER, "a").message(Types.stringType(), "generic").call();

    assertThat(kafka.kafkaRecords())
        .containsExactly(new KafkaRecord("counts", "a", "1".getBytes()));
    assertThat(kafka.egress().get(0).egress()).isEqualTo(OUT);
    assertThat(generic.egress()).hasSize(1);
    assertThat(generic.egress().get(0).kafka()).isEmpty();
    assertThat(generic.egress().get(0).value().as(Types.stringType())).isEqualTo("record of a");
    assertThat(generic.kafkaRecords()).isEmpty();
  }

  @Test
  void aGatewayCallGetsTheRepliesAndOtherCallersDoNot() {
    InvocationResult called =
        tester.invoke(COUNTER, "a").gatewayCall(Types.stringType(), "inc").call();
    InvocationResult fromFunction =
        tester
            .invoke(COUNTER, "a")
            .messageFrom(new Address(ECHO, "x"), Types.stringType(), "inc")
            .call();

    assertThat(called.replies()).containsExactly(Value.of(Types.integerType(), 1));
    assertThat(called.sent()).isEmpty();
    assertThat(fromFunction.replies()).isEmpty();
  }

  @Test
  void aMessageFromAFunctionCarriesItsCaller() {
    InvocationResult result =
        tester
            .invoke(ECHO, "e")
            .messageFrom(new Address(COUNTER, "c"), Types.stringType(), "ping")
            .call();

    assertThat(result.sent())
        .containsExactly(
            new SentMessage(new Address(COUNTER, "c"), Value.of(Types.stringType(), "ping")));
  }

  @Test
  void aFunctionThatUsesAnUndeclaredValueFailsTheCall() {
    assertThatThrownBy(() -> tester.invoke(FORGETFUL, "f").message(Types.stringType(), "x").call())
        .isInstanceOf(FunctionCallFailed.class)
        .hasMessageStartingWith("the function at the SDK handler in this JVM failed:")
        .hasMessageContaining("last");
  }

  @Test
  void stateTheFunctionDoesNotDeclareIsRefusedNamingTheValue() {
    assertThatThrownBy(
            () ->
                tester
                    .invoke(ECHO, "e")
                    .withState(LAST, "x")
                    .message(Types.stringType(), "ping")
                    .call())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the test gives test/echo/e value 'last', which the function does not declare (it"
                + " declares []); Keyflow would never pass it. Declare it with withValueSpec(...)"
                + " or drop it from the test");
  }

  @Test
  void stateGivenWithAnotherTypeThanDeclaredIsRefused() {
    assertThatThrownBy(
            () ->
                tester
                    .invoke(COUNTER, "a")
                    .withState("count", Value.of(Types.stringType(), "seven"))
                    .message(Types.stringType(), "inc")
                    .call())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the test gives test/counter/a value 'count' as io.statefun.types/string, but the"
                + " function declares it as io.statefun.types/int");
  }

  @Test
  void aCallWithoutMessagesIsRefused() {
    assertThatThrownBy(() -> tester.invoke(COUNTER, "a").call())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the call to test/counter/a has no message; add one with message(...)");
  }

  @Test
  void aFunctionThatKeepsAskingForValuesFailsInsteadOfLooping() {
    RequestReplyHandler asksForever =
        request ->
            CompletableFuture.completedFuture(
                Slices.wrap(
                    io.keyflow.protocol.reqreply.FromFunction.newBuilder()
                        .setIncompleteInvocationContext(
                            io.keyflow.protocol.reqreply.FromFunction.IncompleteInvocationContext
                                .newBuilder()
                                .addMissingValues(
                                    io.keyflow.protocol.reqreply.FromFunction.PersistedValueSpec
                                        .newBuilder()
                                        .setStateName("x")
                                        .setTypeTypename("io.statefun.types/int")))
                        .build()
                        .toByteArray()));

    assertThatThrownBy(
            () ->
                FunctionTester.of(asksForever)
                    .invoke(COUNTER, "a")
                    .message(Types.stringType(), "inc")
                    .call())
        .isInstanceOf(FunctionCallFailed.class)
        .hasMessage(
            "test/counter/a: asks again for values it was sent: [x]; Keyflow would repeat the"
                + " request forever");
  }

  @Test
  void aStateWriteWithAnotherTypeThanDeclaredFailsLikeInProduction() {
    RequestReplyHandler real = CounterFunctions.functions().requestReplyHandler();
    RequestReplyHandler wrongType =
        request ->
            real.handle(request)
                .thenApply(
                    slice -> {
                      try {
                        var response =
                            io.keyflow.protocol.reqreply.FromFunction.parseFrom(
                                slice.toByteArray());
                        if (!response.hasInvocationResult()) {
                          return slice;
                        }
                        var builder = response.toBuilder();
                        builder
                            .getInvocationResultBuilder()
                            .getStateMutationsBuilder(0)
                            .getStateValueBuilder()
                            .setTypename("other/type");
                        return Slices.wrap(builder.build().toByteArray());
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                    });

    assertThatThrownBy(
            () ->
                FunctionTester.of(wrongType)
                    .invoke(COUNTER, "a")
                    .message(Types.stringType(), "inc")
                    .call())
        .isInstanceOf(FunctionCallFailed.class)
        .hasMessageMatching(
            "test/counter/a: writes value '(count|last)' as other/type but declared it as"
                + " io.statefun.types/.*; Keyflow fails the job on it");
  }

  @Test
  void aFunctionThatTakesTooLongFailsTheCallAfterTheTimeout() {
    RequestReplyHandler never = request -> new CompletableFuture<>();

    assertThatThrownBy(
            () ->
                FunctionTester.of(never)
                    .withTimeout(Duration.ofMillis(50))
                    .invoke(COUNTER, "a")
                    .message(Types.stringType(), "inc")
                    .call())
        .isInstanceOf(FunctionCallFailed.class)
        .hasMessage("the function at the SDK handler in this JVM did not answer within 50 ms");
  }

  @Test
  void functionsServedOverHttpAreCalledByUrl() throws Exception {
    RequestReplyHandler handler = CounterFunctions.functions().requestReplyHandler();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          byte[] response = handler.handle(Slices.wrap(body)).join().toByteArray();
          exchange.sendResponseHeaders(200, response.length);
          exchange.getResponseBody().write(response);
          exchange.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/statefun/counter";
      InvocationResult result =
          FunctionTester.at(url)
              .invoke(COUNTER, "h")
              .withState(COUNT, 9)
              .message(Types.stringType(), "inc")
              .call();
      assertThat(result.state(COUNT)).hasValue(10);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anHttpErrorFailsTheCallWithItsStatusAndBody() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          byte[] body = "boom".getBytes();
          exchange.sendResponseHeaders(500, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/fn";
      assertThatThrownBy(
              () ->
                  FunctionTester.at(url)
                      .invoke(COUNTER, "h")
                      .message(Types.stringType(), "inc")
                      .call())
          .isInstanceOf(FunctionCallFailed.class)
          .hasMessage("the function at " + url + " answered HTTP 500: boom");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aUrlThatIsNotHttpIsRefused() {
    assertThatThrownBy(() -> FunctionTester.at("ftp://x/y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://x/y is not http or https");
  }

  private static String quoted(SentMessage sent) {
    return io.keyflow.testkit.Printable.bytes(sent.value().bytes());
  }
}
