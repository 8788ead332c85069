package io.keyflow.io.kafka;

import io.keyflow.module.ModuleException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before the job starts, asks Kafka whether the topics an exactly-once egress with pooled
 * transaction naming declares exist.
 *
 * <p>Why: that sink lists the transactions open on every declared topic each time its writers start
 * (to abort those a failed run left behind), and the listing fails on a topic that does not exist.
 * The job would fail as it starts and Flink would restart it until someone creates the topic: a
 * crash loop. So a missing topic refuses the job with one error naming the file, the egress, the
 * field, the topics and the fix.
 *
 * <p>The question is bounded ({@link #BOUND}): a Kafka that does not answer in time is an outage,
 * which the job rides out once it runs, so it is logged as a warning and the job starts as it
 * always did. Only an answer that a topic is unknown refuses.
 */
final class DeclaredTopicsCheck {
  private static final Logger LOG = LoggerFactory.getLogger(DeclaredTopicsCheck.class);

  /** How long Kafka has to answer before the job starts unchecked. */
  static final Duration BOUND = Duration.ofSeconds(5);

  /** What the check found, when it did not refuse. */
  enum Outcome {
    /** Kafka answered: every declared topic exists. */
    ALL_EXIST,
    /** Kafka did not answer within the bound (or could not be asked); the job starts anyway. */
    UNCHECKED
  }

  private DeclaredTopicsCheck() {}

  /**
   * Checks {@code egress}'s declared topics within {@code bound}.
   *
   * @throws ModuleException naming the egress's document, {@code spec.topics}, the missing topics
   *     and the fix, when Kafka answers that one does not exist
   */
  static Outcome check(KafkaEgress egress, Duration bound) {
    List<String> missing;
    try {
      missing = missingTopics(egress, bound);
    } catch (Unanswered e) {
      LOG.warn(
          "Egress {}: could not check within {} ms that its declared topics {} exist on {} ({});"
              + " starting anyway. While one does not exist, its exactly-once sink fails as it"
              + " starts and the job restarts until the topic is created.",
          egress.id(),
          bound.toMillis(),
          egress.topics(),
          egress.bootstrapServers(),
          e.getMessage());
      return Outcome.UNCHECKED;
    }
    if (!missing.isEmpty()) {
      throw refusal(egress, missing);
    }
    return Outcome.ALL_EXIST;
  }

  /** The error for {@code missing} topics of {@code egress}. */
  static ModuleException refusal(KafkaEgress egress, List<String> missing) {
    String servers = egress.bootstrapServers();
    String named =
        missing.size() == 1
            ? "topic " + missing.get(0) + ", which does"
            : "topics " + String.join(", ", missing) + ", which do";
    return ModuleException.at(
        egress.declared().file(),
        egress.declared().document(),
        KafkaEgressBinder.KIND,
        "spec.topics",
        "egress "
            + egress.id()
            + " declares "
            + named
            + " not exist on "
            + servers
            + ". Its exactly-once sink (pooling transaction naming) lists the open transactions on"
            + " every declared topic when it starts, and would fail and restart until they exist",
        "the topics created before the job starts (for example kafka-topics.sh"
            + " --bootstrap-server "
            + servers
            + " --create --topic "
            + missing.get(0)
            + "), or topics removed from this egress (with any transactionNaming: pooling) so"
            + " that it names its transactions incrementally; a job that already ran with pooling"
            + " cannot switch back");
  }

  /** The declared topics Kafka says do not exist, in declaration order. */
  private static List<String> missingTopics(KafkaEgress egress, Duration bound) throws Unanswered {
    int millis = (int) Math.min(Integer.MAX_VALUE, bound.toMillis());
    Admin admin;
    try {
      admin = Admin.create(adminConfig(egress, millis));
    } catch (KafkaException e) {
      // Such as a bootstrap address that does not resolve (yet): the producer meets it too.
      throw new Unanswered(e.toString());
    }
    try {
      Map<String, KafkaFuture<TopicDescription>> described =
          admin
              .describeTopics(egress.topics(), new DescribeTopicsOptions().timeoutMs(millis))
              .topicNameValues();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      List<String> missing = new ArrayList<>();
      for (String topic : egress.topics()) {
        long left = Math.max(0, deadline - System.nanoTime());
        try {
          // The admin call times out by itself; the extra second only guards against a hang.
          described.get(topic).get(left + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof UnknownTopicOrPartitionException) {
            missing.add(topic);
          } else {
            throw new Unanswered(String.valueOf(e.getCause()));
          }
        } catch (TimeoutException e) {
          throw new Unanswered("no answer");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new Unanswered("interrupted");
        }
      }
      return missing;
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
  }

  /**
   * The admin client's settings: the egress's address, its security settings (the same cluster,
   * reached as its producer reaches it), and the bound for every request.
   */
  private static Map<String, Object> adminConfig(KafkaEgress egress, int millis) {
    Map<String, Object> config = new HashMap<>();
    egress
        .properties()
        .forEach(
            (key, value) -> {
              if (key.startsWith("security.")
                  || key.startsWith("ssl.")
                  || key.startsWith("sasl.")) {
                config.put(key, value);
              }
            });
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, egress.bootstrapServers());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    return config;
  }

  /** Kafka could not be asked, or did not answer in time. */
  private static final class Unanswered extends Exception {
    private static final long serialVersionUID = 1L;

    Unanswered(String reason) {
      super(reason, null, false, false);
    }
  }
}
