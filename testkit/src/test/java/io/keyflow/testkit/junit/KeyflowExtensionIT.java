package io.keyflow.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.testkit.kafka.TopicRecords;
import io.keyflow.testkit.unit.CounterFunctionsAccess;
import io.keyflow.testkit.unit.KafkaRecord;
import java.time.Duration;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.types.Types;
import org.junit.jupiter.api.Test;

/**
 * The extension against the kit's counter functions: Kafka in and out, the gateway, a failure with
 * exact recovery, and delayed messages (five seconds, sped up a hundred times).
 */
@KeyflowTest(module = "classpath:counter-module.yaml", delaySpeedup = 100)
class KeyflowExtensionIT {
  @TestFunctions static final StatefulFunctions FUNCTIONS = CounterFunctionsAccess.functions();

  private static final TypeName COUNTER = TypeName.typeNameOf("test", "counter");

  @Test
  void aRecordOnAnIngressTopicReachesTheFunctionAndItsOutputIsCommitted(
      KeyflowEnvironment keyflow) {
    keyflow.send("commands", "kafka", "inc");

    KafkaRecord count =
        keyflow.topic("counts").await("the count of kafka", r -> r.key().equals("kafka"));
    assertThat(count.utf8Value()).isEqualTo("1");
    assertThat(keyflow.startupTime()).isPositive();
  }

  @Test
  void aGatewayCallGetsTheFunctionsReply(KeyflowEnvironment keyflow) {
    GatewayResponse first = keyflow.call(new Address(COUNTER, "gw"), Types.stringType(), "inc");
    GatewayResponse second = keyflow.call(new Address(COUNTER, "gw"), Types.stringType(), "inc");

    assertThat(first.replyAs(Types.integerType())).isEqualTo(1);
    assertThat(second.replyAs(Types.integerType())).isEqualTo(2);
  }

  @Test
  void aFailureRestoresTheLastCheckpointAndTheOutputStaysExact(KeyflowEnvironment keyflow) {
    TopicRecords counts = keyflow.topic("counts");
    for (int i = 0; i < 3; i++) {
      keyflow.send("commands", "crash", "inc");
    }
    counts.await("count 3 of crash", r -> r.key().equals("crash") && r.utf8Value().equals("3"));
    int restartsBefore = keyflow.restarts();
    long covering = keyflow.awaitCheckpoint();

    long checkpoint = keyflow.failAndRestore();
    for (int i = 0; i < 2; i++) {
      keyflow.send("commands", "crash", "inc");
    }
    counts.await("count 5 of crash", r -> r.key().equals("crash") && r.utf8Value().equals("5"));

    assertThat(checkpoint).isGreaterThanOrEqualTo(covering).isPositive();
    assertThat(keyflow.restarts()).isEqualTo(restartsBefore + 1);
    assertThat(counts.withKey("crash"))
        .extracting(KafkaRecord::utf8Value)
        .containsExactly("1", "2", "3", "4", "5");
  }

  @Test
  void advancingPastADelayedMessageDeliversIt(KeyflowEnvironment keyflow) {
    keyflow.send("commands", "later", "remind");
    keyflow.topic("reminders").await("the reminder of later", r -> r.key().equals("later"));

    keyflow.advancePastDelayedMessages();

    assertThat(keyflow.pendingDelayedMessages()).isZero();
    assertThat(
            keyflow
                .topic("counts")
                .await("count of later", r -> r.key().equals("later"))
                .utf8Value())
        .isEqualTo("1");
  }

  @Test
  void anAwaitThatTimesOutListsWhatTheTopicHolds(KeyflowEnvironment keyflow) {
    keyflow.send("commands", "listed", "inc");
    TopicRecords counts = keyflow.topic("counts");
    counts.await("count of listed", r -> r.key().equals("listed"));

    assertThatThrownBy(
            () ->
                counts.await(
                    "a count of 99", Duration.ofMillis(300), r -> r.utf8Value().equals("99")))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith(
            "No committed record on topic counts is a count of 99 within 300 ms; it holds ")
        .hasMessageContaining("\n  key 'listed': '1'");
    assertThatThrownBy(() -> counts.awaitCount(1000, Duration.ofMillis(300)))
        .hasMessageStartingWith(
            "Expected at least 1000 committed records on topic counts within 300 ms; it holds ")
        .hasMessageContaining("\n  key 'listed': '1'");
  }
}
