package io.keyflow.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.StatefunJobProcess;
import io.keyflow.testing.TestFunctions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Makes the savepoint of a real StateFun job holding many addresses, to measure {@code keyflow
 * migrate statefun} on it (docs/migrating-from-statefun.md). Runs only when asked, with {@code
 * -Dkeyflow.statefun.addresses=1000000} and optionally {@code -Dkeyflow.statefun.savepoints=DIR}
 * (default {@code target/statefun-at-scale}); prints the savepoint's path.
 *
 * <p>Every address of {@code scale/account} is called once and keeps an int and a string.
 */
@ExtendWith(KafkaBroker.class)
@EnabledIfSystemProperty(named = "keyflow.statefun.addresses", matches = "[0-9]+")
class StatefunSavepointAtScaleIT {
  private static final int CHUNK = 50_000;

  private static StatefulFunctionSpec account(AtomicLong calls) {
    ValueSpec<Integer> balance = ValueSpec.named("balance").withIntType();
    ValueSpec<String> owner = ValueSpec.named("owner").withUtf8StringType();
    return StatefulFunctionSpec.builder(TypeName.typeNameOf("scale", "account"))
        .withValueSpecs(balance, owner)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  context.storage().set(balance, context.storage().get(balance).orElse(0) + 100);
                  context.storage().set(owner, "owner of " + context.self().id());
                  calls.incrementAndGet();
                  return context.done();
                })
        .build();
  }

  @Test
  void aStatefunJobWithManyAddressesLeavesASavepointHoldingThemAll() throws Exception {
    int addresses = Integer.getInteger("keyflow.statefun.addresses");
    Path out =
        Files.createDirectories(
            Path.of(System.getProperty("keyflow.statefun.savepoints", "target/statefun-at-scale"))
                .toAbsolutePath());
    AtomicLong calls = new AtomicLong();
    String topic = "accounts-" + UUID.randomUUID();
    String group = "scale-" + UUID.randomUUID();
    KafkaBroker.createTopic(topic, 2);
    try (FunctionServer server =
        FunctionServer.start(TestFunctions.of(account(calls)), "127.0.0.1", 0)) {
      Path module =
          Files.writeString(
              out.resolve("module-" + group + ".yaml"),
              """
              kind: io.statefun.endpoints.v2/http
              spec:
                functions: scale/*
                urlPathTemplate: %s/{function.name}
              ---
              kind: io.statefun.kafka.v1/ingress
              spec:
                id: scale/in
                address: %s
                consumerGroupId: %s
                startupPosition:
                  type: earliest
                topics:
                  - topic: %s
                    valueType: keyflow.test/raw
                    targets:
                      - scale/account
              """
                  .formatted(server.baseUrl(), KafkaBroker.bootstrapServers(), group, topic));
      long started = System.nanoTime();
      try (StatefunJobProcess statefun =
          StatefunJobProcess.start(
              module, out, Duration.ofMinutes(3), "1g", "--checkpoint-interval", "10000")) {
        for (int from = 0; from < addresses; from += CHUNK) {
          List<String[]> records = new ArrayList<>(CHUNK);
          for (int i = from; i < Math.min(addresses, from + CHUNK); i++) {
            records.add(new String[] {"a-" + i, "open"});
          }
          KafkaBroker.produce(topic, records);
        }
        System.out.printf(
            "%,d records produced after %.0f s%n", addresses, (System.nanoTime() - started) / 1e9);
        Map<TopicPartition, Long> ends = KafkaBroker.endOffsets(topic);
        long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
        while (calls.get() < addresses || !KafkaBroker.committedOffsets(group).equals(ends)) {
          assertThat(System.nanoTime()).as("StateFun calls every address").isLessThan(deadline);
          Thread.sleep(1_000);
        }
        System.out.printf(
            "%,d calls after %.0f s%n", calls.get(), (System.nanoTime() - started) / 1e9);
        String savepoint = statefun.savepoint(out, Duration.ofMinutes(20));
        System.out.printf(
            "savepoint %s after %.0f s%n", savepoint, (System.nanoTime() - started) / 1e9);
        statefun.cancel(Duration.ofMinutes(2));
        assertThat(Path.of(java.net.URI.create(savepoint)).resolve("_metadata")).exists();
      }
    }
    assertThat(calls.get()).isGreaterThanOrEqualTo(addresses);
  }
}
