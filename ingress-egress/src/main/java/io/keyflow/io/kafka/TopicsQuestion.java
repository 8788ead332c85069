package io.keyflow.io.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * One question to one Kafka cluster, with one admin client and one request: which of these topics
 * do you not know? It is asked as it is created and answered by {@link #unknownTopics(long)}, so
 * that the questions to several clusters are all on their way before any answer is awaited. Topics
 * are only described, never created, so a broker that creates topics on first use does not create
 * them for the question.
 */
final class TopicsQuestion implements AutoCloseable {
  /** Beyond the deadline, in case the admin client's own timeout does not fire. */
  private static final long GUARD_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Admin admin;
  private final Map<String, KafkaFuture<TopicDescription>> described;
  private final String unasked;

  private TopicsQuestion(
      Admin admin, Map<String, KafkaFuture<TopicDescription>> described, String unasked) {
    this.admin = admin;
    this.described = described;
    this.unasked = unasked;
  }

  /**
   * Asks {@code cluster} about {@code topics}, each of its requests bounded by {@code bound}.
   *
   * @param admins creates the admin client from its settings, such as {@code Admin::create}
   */
  static TopicsQuestion ask(
      KafkaCluster cluster,
      Collection<String> topics,
      Duration bound,
      Function<Map<String, Object>, Admin> admins) {
    int millis = (int) Math.min(Integer.MAX_VALUE, bound.toMillis());
    Admin admin;
    try {
      admin = admins.apply(cluster.adminConfig(millis));
    } catch (KafkaException e) {
      // Such as a bootstrap address that does not resolve (yet): the components meet it too.
      return new TopicsQuestion(null, Map.of(), e.toString());
    }
    try {
      return new TopicsQuestion(
          admin,
          admin
              .describeTopics(topics, new DescribeTopicsOptions().timeoutMs(millis))
              .topicNameValues(),
          null);
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e;
    }
  }

  /**
   * The topics the cluster answers it does not know, waiting for the answer until {@code deadline}
   * ({@link System#nanoTime()}).
   *
   * @throws Unanswered when the cluster could not be asked, did not answer in time, or answered
   *     with an error other than an unknown topic
   */
  Set<String> unknownTopics(long deadline) throws Unanswered {
    if (admin == null) {
      throw new Unanswered(unasked);
    }
    Set<String> unknown = new LinkedHashSet<>();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : described.entrySet()) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        topic.getValue().get(left + GUARD_NANOS, TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          unknown.add(topic.getKey());
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
    return unknown;
  }

  /** Closes the admin client at once: an answer that has not come by now is not awaited. */
  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ZERO);
    }
  }

  /** The cluster could not be asked, or did not answer in time. */
  static final class Unanswered extends Exception {
    private static final long serialVersionUID = 1L;

    Unanswered(String reason) {
      super(reason, null, false, false);
    }
  }
}
