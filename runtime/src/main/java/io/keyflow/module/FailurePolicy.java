package io.keyflow.module;

import java.io.Serializable;
import java.util.Objects;

/**
 * What Keyflow does when calls to one function instance keep failing while its endpoint serves
 * others (a poison message), read from an endpoint's {@code failures} object. An endpoint that
 * fails for every address (an outage) never counts against this policy: its messages are held and
 * retried until it answers again.
 *
 * @param mode {@link Mode#DEAD_LETTER} (default) or {@link Mode#FAIL}
 * @param maxAttempts calls made for a batch before it is dead-lettered (each call retries transient
 *     errors within {@code transport.call})
 * @param deadLetterEgress the Kafka egress dead letters are written to; null: they are logged
 * @param deadLetterTopic the topic of that egress
 */
public record FailurePolicy(
    Mode mode, int maxAttempts, TypeName deadLetterEgress, String deadLetterTopic)
    implements Serializable {

  /** Dead-letter after 3 attempts, to the log unless an egress is named. */
  public static final FailurePolicy DEFAULTS =
      new FailurePolicy(Mode.DEAD_LETTER, 3, null, "keyflow-dead-letters");

  public FailurePolicy {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
    }
  }

  /** How a poison batch ends. */
  public enum Mode {
    /** Write the batch to the dead-letter egress (or the log) and go on with the next messages. */
    DEAD_LETTER,
    /** Fail the job, as StateFun does. */
    FAIL
  }
}
