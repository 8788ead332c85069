package io.keyflow.dispatch;

import com.google.protobuf.CodedOutputStream;
import io.keyflow.module.FailurePolicy;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>A dead letter always fits one record of its egress: when the batch would make it larger than
 * the egress's {@link io.keyflow.module.EgressComponent#maxRecordBytes() record limit}, it keeps
 * the address, the error and the metadata and the batch's first messages that fit, says how many
 * were left out, and logs those in full. A record the sink cannot write would fail the job again on
 * every restore.
 */
final class DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  static final String KAFKA_PRODUCER_RECORD_TYPE =
      "type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord";

  /** Room for what Kafka adds to a record (batch and record headers) besides key and value. */
  static final int RECORD_OVERHEAD_BYTES = 512;

  /** The longest error text a dead letter carries; the log has the whole. */
  static final int MAX_ERROR_CHARS = 8192;

  /** Where a dead letter goes: a side output and the record to put on it. */
  interface Output {
    void collect(OutputTag<TypedValue> egress, TypedValue record);
  }

  private final Map<TypeName, OutputTag<TypedValue>> egresses;
  private final Map<TypeName, Integer> recordLimits;
  private final Counter written;

  /**
   * @param recordLimits the most bytes one record of each egress may take; egresses missing here
   *     set no limit
   */
  /** The record limit of each egress {@code module} declares. */
  static Map<TypeName, Integer> recordLimits(io.keyflow.module.Module module) {
    Map<TypeName, Integer> limits = new java.util.HashMap<>();
    for (io.keyflow.module.EgressComponent egress : module.egresses()) {
      limits.put(egress.id(), egress.maxRecordBytes());
    }
    return limits;
  }

  DeadLetters(
      Map<TypeName, OutputTag<TypedValue>> egresses,
      Map<TypeName, Integer> recordLimits,
      Counter written) {
    this.egresses = egresses;
    this.recordLimits = recordLimits;
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
          describe(letter.getMessagesList()));
      return;
    }
    int limit = recordLimits.getOrDefault(policy.deadLetterEgress(), Integer.MAX_VALUE);
    int room =
        limit
            - RECORD_OVERHEAD_BYTES
            - key.getBytes(StandardCharsets.UTF_8).length
            - policy.deadLetterTopic().length();
    if (letter.getSerializedSize() > room) {
      letter = fit(letter, key, room, limit, policy.deadLetterEgress());
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

  /**
   * Cuts {@code letter} to {@code room} bytes: its error to {@link #MAX_ERROR_CHARS}, then its
   * messages to the first ones that fit. Logs what it leaves out.
   */
  static DeadLetter fit(DeadLetter letter, String key, int room, int limit, TypeName egress) {
    DeadLetter.Builder cut = letter.toBuilder().clearMessages();
    if (cut.getError().length() > MAX_ERROR_CHARS) {
      cut.setError(cut.getError().substring(0, MAX_ERROR_CHARS) + " ... (cut; see the log)");
    }
    List<Invocation> messages = letter.getMessagesList();
    // The counts set below take at most 11 + 11 bytes on the wire.
    long size = cut.build().getSerializedSize() + 22;
    int kept = 0;
    for (Invocation message : messages) {
      int messageSize = CodedOutputStream.computeMessageSize(2, message);
      if (size + messageSize > room) {
        break;
      }
      size += messageSize;
      kept++;
    }
    List<Invocation> dropped = messages.subList(kept, messages.size());
    long droppedBytes = 0;
    for (Invocation message : dropped) {
      droppedBytes += message.getArgument().getValue().size();
    }
    cut.addAllMessages(messages.subList(0, kept))
        .setDroppedMessages(dropped.size())
        .setDroppedBytes(droppedBytes);
    LOG.error(
        "The dead letter for {} would take {} bytes, more than one record of egress {} may ({}"
            + " bytes, its max.request.size): it keeps the first {} of {} message(s); the {} left"
            + " out ({} bytes) are here: {}. Full error: {}",
        key,
        letter.getSerializedSize(),
        egress,
        limit,
        kept,
        messages.size(),
        dropped.size(),
        droppedBytes,
        describe(dropped),
        letter.getError());
    return cut.build();
  }

  private static String describe(List<Invocation> messages) {
    StringBuilder out = new StringBuilder();
    for (Invocation message : messages) {
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
