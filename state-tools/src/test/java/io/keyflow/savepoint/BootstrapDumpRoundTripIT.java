package io.keyflow.savepoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A savepoint bootstrapped from JSON lines dumps back to the same lines, on a local Flink. */
class BootstrapDumpRoundTripIT {
  private static final Module MODULE =
      ModuleLoader.parse(
          "module.yaml",
          """
          kind: io.statefun.endpoints.v2/http
          spec:
            functions: shop/*
            urlPathTemplate: http://127.0.0.1:1/{function.name}
          """);

  @TempDir Path dir;

  @Test
  void everyValueOfABootstrappedSavepointDumpsAsItWasGiven() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      lines.add(
          ("{\"function\":\"shop/cart\",\"id\":\"user-%d\",\"values\":{"
                  + "\"count\":{\"typename\":\"io.statefun.types/int\",\"value\":%d},"
                  + "\"items\":{\"typename\":\"shop.types/Items\",\"json\":{\"apple\":%d}},"
                  + "\"blob\":{\"typename\":\"shop.types/Blob\",\"base64\":\"AAH/\"},"
                  + "\"seen\":{\"typename\":\"io.statefun.types/bool\",\"value\":true,"
                  + "\"expiration\":{\"mode\":\"AFTER_WRITE\",\"afterMillis\":3600000},"
                  + "\"expiresAt\":\"2999-01-01T00:00:00Z\"}},"
                  + "\"inflight\":[],\"backlog\":[],\"delayed\":[]}")
              .formatted(i, i, i));
    }
    lines.add(
        "{\"function\":\"shop/inventory\",\"id\":\"user-3\",\"values\":{"
            + "\"stock\":{\"typename\":\"io.statefun.types/long\",\"value\":12}},"
            + "\"inflight\":[],\"backlog\":[],\"delayed\":[]}");
    Path input = Files.write(dir.resolve("in.jsonl"), lines);
    String savepoint = dir.resolve("savepoint").toUri().toString();

    SavepointBootstrap.write(
        BootstrapInput.check(input, MODULE, false), savepoint, 2, new Configuration());
    List<String> dumped = new ArrayList<>();
    long count =
        SavepointDump.dump(
            DispatcherLayout.read(savepoint), DumpFilter.ALL, new Configuration(), dumped::add);

    assertThat(count).isEqualTo(51);
    assertThat(dumped).containsExactlyInAnyOrderElementsOf(lines);
  }

  @Test
  void pendingWorkAndValuesWhoseFunctionDeclaresTheirTimeToLiveDumpAsTheyWereGiven()
      throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      lines.add(
          ("{\"function\":\"shop/cart\",\"id\":\"user-%d\",\"values\":{"
                  + "\"seen\":{\"typename\":\"io.statefun.types/bool\",\"value\":true,"
                  + "\"ttlTouchedAt\":\"2030-01-01T00:00:00Z\"}},"
                  + "\"inflight\":[{\"caller\":\"shop/checkout/order-%d\","
                  + "\"typename\":\"shop.types/Cmd\",\"json\":{\"add\":%d}}],"
                  + "\"backlog\":[{\"typename\":\"shop.types/Cmd\",\"text\":\"one\"},"
                  + "{\"typename\":\"io.statefun.types/int\",\"value\":%d}],"
                  + "\"delayed\":[{\"dueAt\":\"2020-01-01T00:00:00Z\",\"target\":\"shop/cart/user-%d\","
                  + "\"typename\":\"shop.types/Tick\",\"base64\":\"AAH/\"},"
                  + "{\"dueAt\":\"2030-01-01T00:00:01Z\",\"token\":\"reminder-%d\","
                  + "\"target\":\"shop/reminder/user-%d\",\"typename\":\"shop.types/Tick\","
                  + "\"json\":{\"n\":%d}}]}")
              .formatted(i, i, i, i, i, i, i, i));
    }
    Path input = Files.write(dir.resolve("pending.jsonl"), lines);
    String savepoint = dir.resolve("pending-savepoint").toUri().toString();

    BootstrapInput checked = BootstrapInput.check(input, MODULE, false);
    SavepointBootstrap.write(checked, savepoint, 2, new Configuration());
    List<String> dumped = new ArrayList<>();
    SavepointDump.dump(
        DispatcherLayout.read(savepoint), DumpFilter.ALL, new Configuration(), dumped::add);

    assertThat(checked.pending()).isEqualTo(new BootstrapInput.PendingCounts(20, 40, 40));
    assertThat(dumped).containsExactlyInAnyOrderElementsOf(lines);
  }

  @Test
  void aBacklogWithNothingInFlightBecomesTheRequestTheJobSendsFirst() throws Exception {
    Path input =
        Files.write(
            dir.resolve("backlog.jsonl"),
            List.of(
                "{\"function\":\"shop/cart\",\"id\":\"a\",\"backlog\":["
                    + "{\"typename\":\"shop.types/Cmd\",\"text\":\"one\"},"
                    + "{\"typename\":\"shop.types/Cmd\",\"text\":\"two\"}]}"));
    String savepoint = dir.resolve("backlog-savepoint").toUri().toString();

    SavepointBootstrap.write(
        BootstrapInput.check(input, MODULE, false), savepoint, 1, new Configuration());
    List<String> dumped = new ArrayList<>();
    SavepointDump.dump(
        DispatcherLayout.read(savepoint), DumpFilter.ALL, new Configuration(), dumped::add);

    assertThat(dumped)
        .containsExactly(
            "{\"function\":\"shop/cart\",\"id\":\"a\",\"values\":{},\"inflight\":["
                + "{\"typename\":\"shop.types/Cmd\",\"text\":\"one\"},"
                + "{\"typename\":\"shop.types/Cmd\",\"text\":\"two\"}],"
                + "\"backlog\":[],\"delayed\":[]}");
  }

  @Test
  void aLineForAFunctionTheModuleDoesNotServeIsRefusedWithItsLineNumber() throws Exception {
    Path input =
        Files.write(
            dir.resolve("bad.jsonl"),
            List.of(
                "{\"function\":\"shop/cart\",\"id\":\"a\",\"values\":{}}",
                "{\"function\":\"shpo/cart\",\"id\":\"b\",\"values\":{}}"));

    assertThatThrownBy(() -> BootstrapInput.check(input, MODULE, false))
        .hasMessageStartingWith(input + ", line 2: function: shpo/cart is served by no endpoint");
  }
}
