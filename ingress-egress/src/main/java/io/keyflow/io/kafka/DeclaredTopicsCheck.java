package io.keyflow.io.kafka;

import io.keyflow.io.StartCheck;
import io.keyflow.module.ModuleException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
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
 * So a missing topic refuses the job with an error naming the file, the document, the field, the
 * component, the missing topics and the fix; when several declarations miss topics, one error lists
 * them all.
 *
 * <p>How: the components that reach the same cluster the same way ({@link KafkaCluster}) are asked
 * about in one question, with one admin client ({@link TopicsQuestion}). Every question is on its
 * way before any answer is awaited, and all of them share one deadline, so the whole check takes at
 * most about {@link #BOUND} however many components and clusters the module has. A cluster that
 * does not answer in time is an outage, which the job rides out once it runs, so it is logged as a
 * warning naming its components and the job starts as it always did. Only an answer that a topic is
 * unknown refuses.
 */
final class DeclaredTopicsCheck {
  private static final Logger LOG = LoggerFactory.getLogger(DeclaredTopicsCheck.class);

  /** How long Kafka has to answer before the job starts unchecked. */
  static final Duration BOUND = Duration.ofSeconds(5);

  /** The batch of every {@link DeclaredTopics}: one question per cluster, all within the bound. */
  static final StartCheck.Batch BATCH =
      checks ->
          check(checks.stream().map(DeclaredTopics.class::cast).toList(), BOUND, Admin::create);

  /** What the check found on a cluster, when it did not refuse. */
  enum Outcome {
    /** The cluster answered: every topic exists. */
    ALL_EXIST,
    /** The cluster did not answer within the bound (or could not be asked); it starts anyway. */
    UNCHECKED
  }

  private DeclaredTopicsCheck() {}

  /**
   * Checks within {@code bound} that the topics of {@code declarations} exist, asking each cluster
   * once.
   *
   * @param admins creates an admin client from its settings, such as {@code Admin::create}
   * @return what each cluster answered, in the order of their first declaration
   * @throws ModuleException naming each declaration with missing topics, those topics and the fix,
   *     when Kafka answers that one does not exist
   */
  static Map<KafkaCluster, Outcome> check(
      List<DeclaredTopics> declarations,
      Duration bound,
      Function<Map<String, Object>, Admin> admins) {
    Map<KafkaCluster, List<DeclaredTopics>> byCluster = new LinkedHashMap<>();
    for (DeclaredTopics declared : declarations) {
      byCluster.computeIfAbsent(declared.cluster(), cluster -> new ArrayList<>()).add(declared);
    }
    long deadline = System.nanoTime() + bound.toNanos();
    Map<KafkaCluster, TopicsQuestion> questions = new LinkedHashMap<>();
    try {
      byCluster.forEach(
          (cluster, declared) ->
              questions.put(
                  cluster, TopicsQuestion.ask(cluster, topicsOf(declared), bound, admins)));
      Map<KafkaCluster, Outcome> outcomes = new LinkedHashMap<>();
      Map<KafkaCluster, Set<String>> unknown = new LinkedHashMap<>();
      for (Map.Entry<KafkaCluster, TopicsQuestion> question : questions.entrySet()) {
        KafkaCluster cluster = question.getKey();
        try {
          unknown.put(cluster, question.getValue().unknownTopics(deadline));
          outcomes.put(cluster, Outcome.ALL_EXIST);
        } catch (TopicsQuestion.Unanswered e) {
          warnUnchecked(cluster, byCluster.get(cluster), bound, e.getMessage());
          outcomes.put(cluster, Outcome.UNCHECKED);
        }
      }
      List<ModuleException> refusals = new ArrayList<>();
      for (DeclaredTopics declared : declarations) {
        Set<String> unknownThere = unknown.getOrDefault(declared.cluster(), Set.of());
        List<String> missing = declared.topics().stream().filter(unknownThere::contains).toList();
        if (!missing.isEmpty()) {
          refusals.add(declared.refusal(missing));
        }
      }
      if (!refusals.isEmpty()) {
        throw ModuleException.all(
            refusals.size() + " declarations name topics that do not exist", refusals);
      }
      return outcomes;
    } finally {
      questions.values().forEach(TopicsQuestion::close);
    }
  }

  /** Every topic of {@code declarations}, each once, in order. */
  private static Set<String> topicsOf(List<DeclaredTopics> declarations) {
    Set<String> topics = new LinkedHashSet<>();
    declarations.forEach(declared -> topics.addAll(declared.topics()));
    return topics;
  }

  private static void warnUnchecked(
      KafkaCluster cluster, List<DeclaredTopics> declarations, Duration bound, String reason) {
    LOG.warn(
        "Could not check within {} ms that the topics of {} exist on {} ({}); starting anyway."
            + " While one does not exist, {} until it is created.",
        bound.toMillis(),
        declarations.stream()
            .map(d -> d.declared().component() + " " + d.topics())
            .collect(Collectors.joining(", ")),
        cluster.bootstrapServers(),
        reason,
        declarations.get(0).declared().use().consequence());
  }
}
