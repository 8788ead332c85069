package io.keyflow.dispatch;

import io.keyflow.module.FailurePolicy;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives up on a batch of messages for one address: writes it as a {@link DeadLetter} to the
 * endpoint's dead-letter Kafka egress (keyed by the address, so {@code keyflow redrive} can send it
 * back), or, without one, logs it in full. Either way it is counted in {@code keyflowDeadLetters}.
 */
final class DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  static final String KAFKA_PRODUCER_RECORD_TYPE =
      "type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord";

  /** Where a dead letter goes: a side output and the record to put on it. */
  interface Output {
    void collect(OutputTag<TypedValue> egress, TypedValue record);
  }

  private final Map<io.keyflow.module.TypeName, OutputTag<TypedValue>> egresses;
  private final Counter written;

  DeadLetters(Map<io.keyflow.module.TypeName, OutputTag<TypedValue>> egresses, Counter written) {
    this.egresses = egresses;
    this.written = written;
  }

  void write(Pending p, FailurePolicy policy, String endpoint, Throwable error, Output output) {
    write(
        p.key.toAddress(),
        p.invocations,
        p.failedAttempts,
        String.valueOf(error.getMessage()),
        policy,
        endpoint,
        output);
  }

  /**
   * Writes a dead letter for {@code address}.
   *
   * @param attempts calls made for the messages; 0 when they could not be sent at all
   */
  void write(
      Address address,
      List<Invocation> messages,
      int attempts,
      String error,
      FailurePolicy policy,
      String endpoint,
      Output output) {
    String key = address.getNamespace() + "/" + address.getType() + "/" + address.getId();
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setAddress(address)
            .addAllMessages(messages)
            .setError(error)
            .setAttempts(attempts)
            .setEndpoint(endpoint)
            .setDeadLetteredAtMillis(System.currentTimeMillis())
            .build();
    written.inc();
    OutputTag<TypedValue> egress =
        policy.deadLetterEgress() == null ? null : egresses.get(policy.deadLetterEgress());
    if (egress == null) {
      LOG.error(
          "Gave up on {} message(s) for {} after {} attempt(s): {}. No dead-letter egress is"
              + " configured (failures.deadLetter.egress), so here they are: {}",
          messages.size(),
          key,
          attempts,
          error,
          describe(letter));
      return;
    }
    KafkaProducerRecord record =
        KafkaProducerRecord.newBuilder()
            .setTopic(policy.deadLetterTopic())
            .setKey(key)
            .setValueBytes(letter.toByteString())
            .build();
    output.collect(
        egress,
        TypedValue.newBuilder()
            .setTypename(KAFKA_PRODUCER_RECORD_TYPE)
            .setHasValue(true)
            .setValue(record.toByteString())
            .build());
    LOG.warn(
        "Gave up on {} message(s) for {} after {} attempt(s): {}; written to dead-letter topic {}",
        messages.size(),
        key,
        attempts,
        error,
        policy.deadLetterTopic());
  }

  private static String describe(DeadLetter letter) {
    StringBuilder out = new StringBuilder();
    for (Invocation message : letter.getMessagesList()) {
      TypedValue argument = message.getArgument();
      out.append("[typename=")
          .append(argument.getTypename())
          .append(message.hasCaller() ? ", caller=" + message.getCaller() : "")
          .append(", value(base64)=")
          .append(Base64.getEncoder().encodeToString(argument.getValue().toByteArray()))
          .append("] ");
    }
    return out.toString().trim();
  }
}
