package io.keyflow.io.kafka;

import java.time.Duration;
import java.util.Map;

/**
 * How long a transactional Kafka producer waits for the broker, chosen from the transaction timeout
 * so that a Kafka outage of any length ends well.
 *
 * <p>While the broker is away, the egress's task waits: records wait to be acknowledged ({@code
 * delivery.timeout.ms}), and calls that need the broker (starting, committing or aborting a
 * transaction, a topic's metadata) wait too ({@code max.block.ms}). Both are half the transaction
 * timeout. An outage shorter than that is ridden out: the job neither fails nor replays anything,
 * and the transaction that was open when Kafka went away is still alive when it comes back (it is
 * at most one checkpoint older than the outage, and Kafka aborts it only after the transaction
 * timeout). A longer outage fails the job, which restarts from its last checkpoint (with Flink's
 * restart strategy) as soon as Kafka answers again. A request's own timeout ({@code
 * request.timeout.ms}) stays Kafka's 30 s unless a short transaction timeout needs it shorter,
 * since Kafka requires it to fit within the delivery timeout.
 *
 * @param deliveryTimeout {@code delivery.timeout.ms}
 * @param maxBlock {@code max.block.ms}
 * @param requestTimeout {@code request.timeout.ms}
 */
public record ProducerTimeouts(
    Duration deliveryTimeout, Duration maxBlock, Duration requestTimeout) {
  /** Kafka's default {@code request.timeout.ms}. */
  static final Duration KAFKA_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The timeouts for producers whose transactions time out after {@code transactionTimeout}. */
  public static ProducerTimeouts forTransactions(Duration transactionTimeout) {
    if (transactionTimeout.isZero() || transactionTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "the transaction timeout must be positive, not " + transactionTimeout);
    }
    Duration half = transactionTimeout.dividedBy(2);
    Duration quarter = transactionTimeout.dividedBy(4);
    Duration request =
        quarter.compareTo(KAFKA_REQUEST_TIMEOUT) < 0 ? quarter : KAFKA_REQUEST_TIMEOUT;
    return new ProducerTimeouts(half, half, request);
  }

  /** The producer properties that set these timeouts. */
  public Map<String, String> properties() {
    return Map.of(
        "delivery.timeout.ms", Long.toString(deliveryTimeout.toMillis()),
        "max.block.ms", Long.toString(maxBlock.toMillis()),
        "request.timeout.ms", Long.toString(requestTimeout.toMillis()));
  }
}
