package io.keyflow.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleExceptionTest {

  private static final ModuleException TOPICS =
      ModuleException.at(
          "module.yaml",
          2,
          "io.statefun.kafka.v1/ingress",
          "spec.topics",
          "ingress shop/in reads topic orders, which does not exist",
          "the topic created");
  private static final ModuleException REPLIES =
      ModuleException.at(
          "module.yaml",
          3,
          "io.keyflow.gateway.v1/http",
          "spec.replyTopic",
          "gateway shop/gateway writes its replies to topic replies, which does not exist",
          "the topic created");

  @Test
  void severalProblemsAreOneErrorListingEachAsItReadsAlone() {
    ModuleException all =
        ModuleException.all(
            "2 declarations name topics that do not exist", List.of(TOPICS, REPLIES));

    assertThat(all)
        .hasMessage(
            "2 declarations name topics that do not exist:\n- "
                + TOPICS.getMessage()
                + "\n- "
                + REPLIES.getMessage());
  }

  @Test
  void oneProblemAloneKeepsItsOwnError() {
    assertThat(ModuleException.all("1 declaration names topics that do not exist", List.of(TOPICS)))
        .isSameAs(TOPICS);
  }
}
