package io.keyflow.io.kafka;

import java.io.Serializable;

/**
 * Where module.yaml declares the topics a component needs as the job starts, how it uses them, and
 * how to put right a topic that does not exist other than by creating it: what an error about those
 * topics names.
 *
 * @param file the file's name or URL, as module.yaml errors name it
 * @param document 1-based, as module.yaml errors count documents
 * @param kind the document's kind, such as {@code io.statefun.kafka.v1/egress}
 * @param field the path to the field that names the topics, such as {@code spec.topics}
 * @param component what uses the topics, such as {@code egress shop/out}
 * @param verb how the component relates to them in a sentence, such as {@code declares}
 * @param use what the component does with the topics as it starts, which fails on one that does not
 *     exist
 * @param otherFix the fixes other than creating the topics, such as {@code topics removed from this
 *     egress}
 */
public record TopicsDeclaration(
    String file,
    int document,
    String kind,
    String field,
    String component,
    String verb,
    Use use,
    String otherFix)
    implements Serializable {

  /**
   * What a component does with its topics as it starts, which a missing topic stops; the refusal
   * says so ({@link DeclaredTopics#refusal}).
   */
  public enum Use {
    /** An exactly-once sink with pooled transaction naming ({@link PooledTransactionalSink}). */
    POOLED_SINK(
        "Its exactly-once sink (pooling transaction naming) lists the open transactions on each"
            + " of its topics when it starts",
        "the job would fail and restart",
        "the job"),
    /** A Kafka source, whose partition discovery describes every topic it reads. */
    SOURCE(
        "Its Kafka source looks up the partitions of each of its topics when it starts",
        "the job would fail and restart",
        "the job"),
    /** A gateway instance writing calls ({@code keyflow gateway}). */
    GATEWAY_CALLS(
        "Every call is written there for the job to read",
        "no call could reach a function",
        "the gateway"),
    /** A gateway instance reading every reply ({@code keyflow gateway}). */
    GATEWAY_REPLIES(
        "Every reply is read from there", "the gateway could answer no call", "the gateway");

    private final String why;
    private final String consequence;
    private final String starting;

    Use(String why, String consequence, String starting) {
      this.why = why;
      this.consequence = consequence;
      this.starting = starting;
    }

    /** Why a missing topic stops the component, as a sentence without its full stop. */
    String why() {
      return why;
    }

    /** What follows while a topic is missing, such as {@code the job would fail and restart}. */
    String consequence() {
      return consequence;
    }

    /** What starts and needs the topics, such as {@code the job}. */
    String starting() {
      return starting;
    }
  }
}
