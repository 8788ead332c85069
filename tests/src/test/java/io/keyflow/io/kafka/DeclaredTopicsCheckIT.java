package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.keyflow.cli.gateway.GatewayCommand;
import io.keyflow.io.Egress;
import io.keyflow.io.Ingress;
import io.keyflow.io.gateway.Gateway;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleException;
import io.keyflow.module.ModuleLoader;
import io.keyflow.testing.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.common.TopicCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The check of a module's topics against a real broker: the components that reach one cluster the
 * same way are asked about in one question, with one admin client and one describe request; a
 * missing topic is refused naming the declaration that names it, and the missing topics of several
 * declarations in one error. A {@code keyflow gateway} refuses to serve while its reply topic does
 * not exist.
 */
@ExtendWith(KafkaBroker.class)
class DeclaredTopicsCheckIT {

  @TempDir Path dir;

  /** Real admin clients, counted with the describe requests they send. */
  private static final class CountingAdmins implements Function<Map<String, Object>, Admin> {
    final AtomicInteger created = new AtomicInteger();
    final List<Set<String>> described = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Admin apply(Map<String, Object> config) {
      created.incrementAndGet();
      return new ForwardingAdmin(config) {
        @Override
        public DescribeTopicsResult describeTopics(
            TopicCollection topics, DescribeTopicsOptions options) {
          described.add(Set.copyOf(((TopicCollection.TopicNameCollection) topics).topicNames()));
          return super.describeTopics(topics, options);
        }
      };
    }
  }

  /** The topics of one test, each a fresh name. */
  private record Topics(String in, String calls, String replies, String out, String audit) {
    static Topics fresh() {
      String run = UUID.randomUUID().toString();
      return new Topics(
          "dt-in-" + run,
          "dt-calls-" + run,
          "dt-replies-" + run,
          "dt-out-" + run,
          "dt-audit-" + run);
    }

    void create(String... topics) throws Exception {
      for (String topic : topics) {
        KafkaBroker.createTopic(topic, 1);
      }
    }
  }

  /**
   * A Kafka ingress (document 2), a gateway (document 3) and an exactly-once egress that declares
   * two topics (document 4), all on the test broker; {@code egressProperties} are the egress's
   * client properties in module.yaml's list form, or empty.
   */
  private static String moduleText(Topics topics, String egressProperties) {
    String servers = KafkaBroker.bootstrapServers();
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: dt/*
          urlPathTemplate: http://127.0.0.1:1/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: dt/in
          address: %1$s
          consumerGroupId: dt
          topics:
            - topic: %2$s
              valueType: dt.types/raw
              targets: [dt/f]
        ---
        kind: io.keyflow.gateway.v1/http
        spec:
          id: dt/gateway
          address: %1$s
          requestTopic: %3$s
          replyTopic: %4$s
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: dt/out
          address: %1$s
          deliverySemantic:
            type: exactly-once
          topics: [%5$s, %6$s]
        """
            .formatted(
                servers,
                topics.in(),
                topics.calls(),
                topics.replies(),
                topics.out(),
                topics.audit())
        + egressProperties;
  }

  private static Module module(Topics topics, String egressProperties) {
    return ModuleLoader.parse("module.yaml", moduleText(topics, egressProperties));
  }

  /** What the module's ingresses and egresses need before the job starts, in module order. */
  private static List<DeclaredTopics> declaredTopics(Module module) {
    List<DeclaredTopics> declared = new ArrayList<>();
    module
        .ingresses()
        .forEach(in -> ((Ingress) in).startChecks().forEach(c -> declared.add((DeclaredTopics) c)));
    module
        .egresses()
        .forEach(
            out -> ((Egress) out).startChecks().forEach(c -> declared.add((DeclaredTopics) c)));
    return declared;
  }

  /** The declaration of {@code field} in {@code component}'s document. */
  private static DeclaredTopics declaration(
      List<DeclaredTopics> declared, String component, String field) {
    return declared.stream()
        .filter(d -> d.declared().component().equals(component))
        .filter(d -> d.declared().field().equals(field))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void severalComponentsOnOneClusterAreAskedWithOneAdminClientAndOneDescribe() throws Exception {
    Topics topics = Topics.fresh();
    topics.create(topics.in(), topics.calls(), topics.replies(), topics.out(), topics.audit());
    List<DeclaredTopics> declared = declaredTopics(module(topics, ""));
    CountingAdmins admins = new CountingAdmins();

    var outcomes = DeclaredTopicsCheck.check(declared, DeclaredTopicsCheck.BOUND, admins);

    assertThat(declared).as("the ingress, the gateway's two topics and the egress").hasSize(4);
    assertThat(outcomes).containsOnlyKeys(declared.get(0).cluster());
    assertThat(outcomes).containsValue(DeclaredTopicsCheck.Outcome.ALL_EXIST);
    assertThat(admins.created).hasValue(1);
    assertThat(admins.described)
        .containsExactly(
            Set.of(topics.in(), topics.calls(), topics.replies(), topics.out(), topics.audit()));
  }

  @Test
  void componentsOnTwoClustersAreAskedWithAnAdminClientAndADescribeEach() throws Exception {
    Topics topics = Topics.fresh();
    topics.create(topics.in(), topics.calls(), topics.replies(), topics.out(), topics.audit());
    // The same broker, reached with other security settings: another cluster to the check.
    List<DeclaredTopics> declared =
        declaredTopics(module(topics, "  properties:\n    - security.protocol: PLAINTEXT\n"));
    CountingAdmins admins = new CountingAdmins();

    var outcomes = DeclaredTopicsCheck.check(declared, DeclaredTopicsCheck.BOUND, admins);

    assertThat(outcomes).hasSize(2);
    assertThat(outcomes.values()).containsOnly(DeclaredTopicsCheck.Outcome.ALL_EXIST);
    assertThat(admins.created).hasValue(2);
    assertThat(admins.described)
        .containsExactlyInAnyOrder(
            Set.of(topics.in(), topics.calls(), topics.replies()),
            Set.of(topics.out(), topics.audit()));
  }

  @Test
  void aMissingTopicIsRefusedNamingOnlyTheDeclarationThatNamesIt() throws Exception {
    Topics topics = Topics.fresh();
    topics.create(topics.in(), topics.calls(), topics.replies(), topics.out());
    List<DeclaredTopics> declared = declaredTopics(module(topics, ""));
    CountingAdmins admins = new CountingAdmins();

    Throwable refusal =
        catchThrowable(
            () -> DeclaredTopicsCheck.check(declared, DeclaredTopicsCheck.BOUND, admins));

    DeclaredTopics egress = declaration(declared, "egress dt/out", "spec.topics");
    assertThat(refusal)
        .isInstanceOf(ModuleException.class)
        .hasMessage(egress.refusal(List.of(topics.audit())).getMessage());
    assertThat(refusal.getMessage())
        .startsWith(
            "module.yaml, document 4 (io.statefun.kafka.v1/egress), spec.topics: egress dt/out"
                + " declares topic "
                + topics.audit()
                + ", which does not exist on "
                + KafkaBroker.bootstrapServers())
        .doesNotContain(topics.in());
    assertThat(admins.created).hasValue(1);
  }

  @Test
  void theMissingTopicsOfSeveralDeclarationsAreRefusedInOneErrorListingEach() throws Exception {
    Topics topics = Topics.fresh();
    topics.create(topics.calls(), topics.out(), topics.audit());
    List<DeclaredTopics> declared = declaredTopics(module(topics, ""));

    Throwable refusal =
        catchThrowable(
            () -> DeclaredTopicsCheck.check(declared, DeclaredTopicsCheck.BOUND, Admin::create));

    assertThat(refusal)
        .isInstanceOf(ModuleException.class)
        .hasMessage(
            "2 declarations name topics that do not exist:\n- "
                + declaration(declared, "ingress dt/in", "spec.topics")
                    .refusal(List.of(topics.in()))
                    .getMessage()
                + "\n- "
                + declaration(declared, "gateway dt/gateway", "spec.replyTopic")
                    .refusal(List.of(topics.replies()))
                    .getMessage());
    assertThat(refusal.getMessage())
        .contains("spec.topics: ingress dt/in reads topic " + topics.in())
        .contains(
            "spec.replyTopic: gateway dt/gateway writes its replies to topic " + topics.replies());
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aGatewayRefusesToServeWhileItsReplyTopicDoesNotExistAndPassesTheCheckOnceItDoes()
      throws Exception {
    Topics topics = Topics.fresh();
    topics.create(topics.in(), topics.calls());
    Module module = module(topics, "");
    var spec = Gateway.declaredIn(module).orElseThrow();

    assertThat(catchThrowable(() -> Gateway.checkTopics(spec, module)))
        .isInstanceOf(ModuleException.class)
        .hasMessageStartingWith(
            "module.yaml, document 3 (io.keyflow.gateway.v1/http), spec.replyTopic: gateway"
                + " dt/gateway reads its replies from topic "
                + topics.replies()
                + ", which does not exist on "
                + KafkaBroker.bootstrapServers()
                + ". Every reply is read from there, so the gateway could answer no call until it"
                + " exists; expected the topic created before the gateway starts")
        .hasMessageContaining("--create --topic " + topics.replies())
        .hasMessageContaining("or spec.replyTopic naming a topic that exists");
    Path file = Files.writeString(dir.resolve("module.yaml"), moduleText(topics, ""));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream systemErr = System.err;
    int status;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      status = new CommandLine(new GatewayCommand()).execute("--module", file.toString());
    } finally {
      System.setErr(systemErr);
    }
    assertThat(status).as("keyflow gateway's exit status").isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "spec.replyTopic: gateway dt/gateway reads its replies from topic " + topics.replies());

    topics.create(topics.replies());
    Gateway.checkTopics(spec, module);
  }
}
