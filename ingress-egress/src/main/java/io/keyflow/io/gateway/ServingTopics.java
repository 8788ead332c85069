package io.keyflow.io.gateway;

import io.keyflow.io.kafka.DeclaredTopics;
import io.keyflow.io.kafka.TopicsDeclaration;
import java.util.List;

/**
 * The topics a gateway instance needs as it starts serving: the request topic it writes calls to,
 * for the job to read, and the reply topic it reads every reply from. {@code keyflow gateway}
 * checks that both exist before it listens ({@link Gateway#checkTopics}).
 */
final class ServingTopics {
  private ServingTopics() {}

  /**
   * The topics of {@code spec}, on the Kafka it reaches, as document {@code document} of {@code
   * file} declares them.
   */
  static List<DeclaredTopics> of(GatewaySpec spec, String file, int document) {
    return List.of(
        spec.declaredTopic(
            spec.requestTopic(),
            spec.topicDeclaration(
                file,
                document,
                "spec.requestTopic",
                "writes its calls to",
                TopicsDeclaration.Use.GATEWAY_CALLS,
                "spec.requestTopic naming a topic that exists (the job reads calls from it)")),
        spec.declaredTopic(
            spec.replyTopic(),
            spec.topicDeclaration(
                file,
                document,
                "spec.replyTopic",
                "reads its replies from",
                TopicsDeclaration.Use.GATEWAY_REPLIES,
                "spec.replyTopic naming a topic that exists (the job writes replies to it)")));
  }
}
