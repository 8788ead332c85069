package io.keyflow.io.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.io.ShopModule;
import io.keyflow.io.StartCheck;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reply egress's check before the job starts, without a broker: what its refusal says, and that
 * a Kafka which cannot be asked lets the job start. The refusal by a real broker and the start once
 * the reply topic exists are in {@code KafkaPooledTransactionsIT}.
 */
class ReplyEgressTest {

  private static ReplyEgress replies(String address, String replies) {
    return (ReplyEgress)
        ShopModule.parse(
                """
                kind: io.keyflow.gateway.v1/http
                spec:
                  id: shop/gateway
                  address: %s
                  requestTopic: shop-calls
                  replyTopic: shop-replies
                  replies: %s
                """
                    .formatted(address, replies))
            .egresses()
            .get(0);
  }

  @Test
  void aMissingReplyTopicIsRefusedNamingTheFileDocumentFieldGatewayTopicAndTheFixes() {
    String message =
        replies("kafka:9092", "exactly-once")
            .pooledSink()
            .declaredTopics()
            .refusal(List.of("shop-replies"))
            .getMessage();

    assertThat(message)
        .startsWith("shop/module.yaml, document 2 (io.keyflow.gateway.v1/http), spec.replyTopic: ")
        .contains(
            "gateway shop/gateway writes its replies to topic shop-replies, which does not exist"
                + " on kafka:9092")
        .contains("pooling")
        .contains("kafka-topics.sh --bootstrap-server kafka:9092 --create --topic shop-replies")
        .contains("or spec.replyTopic naming a topic that exists")
        .contains("or replies: at-least-once");
  }

  @Test
  void exactlyOnceRepliesPoolTheirTransactionsOnTheReplyTopicAlone() {
    var sink = replies("kafka:9092", "exactly-once").pooledSink();

    assertThat(sink.topics()).containsExactly("shop-replies");
    assertThat(sink.transactionalIdPrefix()).isEqualTo("keyflow-gateway-shop-gateway");
    assertThat(sink.transactionTimeout()).isEqualTo(ReplyEgress.TRANSACTION_TIMEOUT);
  }

  @Test
  void aKafkaThatCannotBeAskedLetsTheJobStart() {
    long start = System.nanoTime();

    StartCheck.runAll(replies("no-such-host.invalid:9092", "exactly-once").startChecks());

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }
}
