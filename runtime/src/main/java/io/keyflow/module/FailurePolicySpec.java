package io.keyflow.module;

/**
 * Reads an endpoint's {@code failures} object (a Keyflow addition; StateFun modules without it get
 * {@link FailurePolicy#DEFAULTS}).
 *
 * <pre>{@code
 * failures:
 *   policy: dead-letter          # or fail (StateFun's behaviour)
 *   maxAttempts: 3
 *   deadLetter:
 *     egress: shop/dead-letters  # a Kafka egress of this module; without it, dead letters are logged
 *     topic: shop-dead-letters   # default keyflow-dead-letters
 * }</pre>
 */
final class FailurePolicySpec {
  private FailurePolicySpec() {}

  static FailurePolicy read(YamlNode failures) {
    failures.allowOnlyKeys("policy", "maxAttempts", "deadLetter");
    FailurePolicy.Mode mode =
        switch (failures.optionalString("policy").orElse("dead-letter")) {
          case "dead-letter" -> FailurePolicy.Mode.DEAD_LETTER;
          case "fail" -> FailurePolicy.Mode.FAIL;
          default ->
              throw failures.error(
                  "policy",
                  "'" + failures.requireString("policy") + "' is not a failure policy",
                  "dead-letter or fail");
        };
    int maxAttempts = failures.optionalInt("maxAttempts", FailurePolicy.DEFAULTS.maxAttempts());
    if (maxAttempts < 1) {
      throw failures.error("maxAttempts", "must be at least 1, not " + maxAttempts, "1 or more");
    }
    TypeName egress = null;
    String topic = FailurePolicy.DEFAULTS.deadLetterTopic();
    if (failures.has("deadLetter")) {
      YamlNode deadLetter = failures.requireObject("deadLetter");
      deadLetter.allowOnlyKeys("egress", "topic");
      egress = deadLetter.requireTypeName("egress");
      topic = deadLetter.optionalString("topic").orElse(topic);
      if (topic.isBlank()) {
        throw deadLetter.error("topic", "is empty", "a Kafka topic name");
      }
    }
    return new FailurePolicy(mode, maxAttempts, egress, topic);
  }
}
