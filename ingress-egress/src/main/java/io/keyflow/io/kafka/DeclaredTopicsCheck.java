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
 * Before the job starts, asks Kafka whether the topics that module.yaml names exist ({@link
 * DeclaredTopics}): those a Kafka ingress reads, a gateway's request topic, those an exactly-once
 * Kafka egress with pooled transaction naming declares, and a gateway's reply topic with
 * exactly-once replies.
 *
 * <p>Why: each component fails on a topic that does not exist as it starts. A Kafka source's
 * partition discovery describes its topics, and an unknown one fails the job; a broker that creates
 * topics on first use does not create them for it. An exactly-once sink with pooled transaction
 * naming lists the transactions open on each of its topics every time its writers start (to abort
 * those a failed run left behind), and the listing fails on a topic that does not exist. The job
 * would fail as it starts and Flink would restart it until someone creates the topic: a crash loop.
 * So a missing topic refuses the job with one error naming the file, the document, the field, the
 * component, the missing topics and the fix.
 *
 * <p>The question is bounded ({@link #BOUND}): a Kafka that does not answer in time is an outage,
 * which the job rides out once it runs, so it is logged as a warning and the job starts as it
 * always did. Only an answer that a topic is unknown refuses. Topics are only described, never
 * created, so a broker that creates topics on first use ({@code auto.create.topics.enable}) does
 * not create them for the check either.
 */
final class DeclaredTopicsCheck {
  private static final Logger LOG = LoggerFactory.getLogger(DeclaredTopicsCheck.class);

  /** How long Kafka has to answer before the job starts unchecked. */
  static final Duration BOUND = Duration.ofSeconds(5);

  /** What the check found, when it did not refuse. */
  enum Outcome {
    /** Kafka answered: every topic exists. */
    ALL_EXIST,
    /** Kafka did not answer within the bound (or could not be asked); the job starts anyway. */
    UNCHECKED
  }

  private DeclaredTopicsCheck() {}

  /**
   * Checks within {@code bound} that {@code topics} exist.
   *
   * @param client the Kafka client properties of the component: {@code bootstrap.servers} and the
   *     security settings ({@code security.*}, {@code ssl.*}, {@code sasl.*}) are used
   * @param declared where the topics are declared, named by the refusal
   * @throws ModuleException naming the declaration, the missing topics and the fix, when Kafka
   *     answers that one does not exist
   */
  static Outcome check(
      List<String> topics, Map<String, String> client, TopicsDeclaration declared, Duration bound) {
    List<String> missing;
    try {
      missing = missingTopics(topics, client, bound);
    } catch (Unanswered e) {
      LOG.warn(
          "{}: could not check within {} ms that its topics {} exist on {} ({}); starting anyway."
              + " While one does not exist, the job fails as it starts and restarts until the"
              + " topic is created.",
          declared.component(),
          bound.toMillis(),
          topics,
          servers(client),
          e.getMessage());
      return Outcome.UNCHECKED;
    }
    if (!missing.isEmpty()) {
      throw refusal(declared, servers(client), missing);
    }
    return Outcome.ALL_EXIST;
  }

  /** The error for {@code missing} topics on the Kafka at {@code servers}. */
  static ModuleException refusal(TopicsDeclaration declared, String servers, List<String> missing) {
    boolean one = missing.size() == 1;
    String named =
        one
            ? "topic " + missing.get(0) + ", which does"
            : "topics " + String.join(", ", missing) + ", which do";
    return ModuleException.at(
        declared.file(),
        declared.document(),
        declared.kind(),
        declared.field(),
        declared.component()
            + " "
            + declared.verb()
            + " "
            + named
            + " not exist on "
            + servers
            + ". "
            + why(declared.use())
            + ", so the job would fail and restart until "
            + (one ? "it exists" : "they exist"),
        (one ? "the topic" : "the topics")
            + " created before the job starts (for example kafka-topics.sh"
            + " --bootstrap-server "
            + servers
            + " --create --topic "
            + missing.get(0)
            + "), or "
            + declared.otherFix());
  }

  /** Why a missing topic stops a component that uses its topics so, without a full stop. */
  private static String why(TopicsDeclaration.Use use) {
    return switch (use) {
      case POOLED_SINK ->
          "Its exactly-once sink (pooling transaction naming) lists the open transactions on each"
              + " of its topics when it starts";
      case SOURCE ->
          "Its Kafka source looks up the partitions of each of its topics when it starts";
    };
  }

  /** The topics Kafka says do not exist, in the order given. */
  private static List<String> missingTopics(
      List<String> topics, Map<String, String> client, Duration bound) throws Unanswered {
    int millis = (int) Math.min(Integer.MAX_VALUE, bound.toMillis());
    Admin admin;
    try {
      admin = Admin.create(adminConfig(client, millis));
    } catch (KafkaException e) {
      // Such as a bootstrap address that does not resolve (yet): the producer meets it too.
      throw new Unanswered(e.toString());
    }
    try {
      Map<String, KafkaFuture<TopicDescription>> described =
          admin
              .describeTopics(topics, new DescribeTopicsOptions().timeoutMs(millis))
              .topicNameValues();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      List<String> missing = new ArrayList<>();
      for (String topic : topics) {
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
   * The admin client's settings: the component's address, its security settings (the same cluster,
   * reached as its own clients reach it), and the bound for every request.
   */
  private static Map<String, Object> adminConfig(Map<String, String> client, int millis) {
    Map<String, Object> config = new HashMap<>();
    client.forEach(
        (key, value) -> {
          if (key.startsWith("security.") || key.startsWith("ssl.") || key.startsWith("sasl.")) {
            config.put(key, value);
          }
        });
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers(client));
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    return config;
  }

  private static String servers(Map<String, String> client) {
    String servers = client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    if (servers == null) {
      throw new IllegalArgumentException("the client properties name no bootstrap.servers");
    }
    return servers;
  }

  /** Kafka could not be asked, or did not answer in time. */
  private static final class Unanswered extends Exception {
    private static final long serialVersionUID = 1L;

    Unanswered(String reason) {
      super(reason, null, false, false);
    }
  }
}
