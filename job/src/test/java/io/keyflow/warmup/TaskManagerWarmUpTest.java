package io.keyflow.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.warmupfixture.InitialisedOnFirstUse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TaskManagerWarmUpTest {

  @Test
  void theWarmUpRunsEveryStepAndReportsWhatItDid() {
    WarmUpReport report = new TaskManagerWarmUp().run();

    assertThat(report.steps())
        .extracting(WarmUpReport.Step::name)
        .containsExactly("classes", "rocksdb", "kafka", "protocol", "function-client");
    assertThat(report.steps()).allSatisfy(s -> assertThat(s.succeeded()).as(s.outcome()).isTrue());
    assertThat(report.steps().get(0).outcome()).matches("[1-9]\\d{3,} classes loaded and linked.*");
    assertThat(report.steps().get(1).outcome())
        .startsWith("native library loaded by Flink's RocksDB backend")
        .contains("read (2000 keys)");
    assertThat(report.summary())
        .startsWith("in " + report.millis() + " ms: classes (")
        .contains("; rocksdb (", "; kafka (", "; protocol (", "; function-client (")
        .doesNotContain("failed");
  }

  @Test
  void aFailingStepIsReportedAndTheStepsAfterItStillRun() {
    WarmUpReport report =
        new TaskManagerWarmUp(
                List.of(
                    step(
                        "throws",
                        () -> {
                          throw new IllegalStateException("no broker here");
                        }),
                    step(
                        "missing",
                        () -> {
                          throw new NoClassDefFoundError("org/rocksdb/RocksDB");
                        }),
                    step("works", () -> "done")))
            .run();

    assertThat(report.succeeded()).isFalse();
    assertThat(report.steps())
        .extracting(WarmUpReport.Step::name, WarmUpReport.Step::succeeded)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("throws", false),
            org.assertj.core.groups.Tuple.tuple("missing", false),
            org.assertj.core.groups.Tuple.tuple("works", true));
    assertThat(report.summary())
        .contains("throws (", "failed, ignored: java.lang.IllegalStateException: no broker here")
        .contains("failed, ignored: java.lang.NoClassDefFoundError: org/rocksdb/RocksDB")
        .endsWith("ms) done");
  }

  @Test
  void theAgentReturnsAtOnceAndWarmsUpOnADaemonThreadOnceTheStartHasSettled() throws Exception {
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    Thread thread =
        WarmUpAgent.start(
            new TaskManagerWarmUp(
                List.of(
                    step(
                        "thread",
                        () -> {
                          ranOn.set(Thread.currentThread());
                          return "ran";
                        }))),
            true);

    assertThat(thread.isDaemon()).isTrue();
    assertThat(thread.getName()).isEqualTo(WarmUpAgent.THREAD_NAME);
    thread.join(30_000);
    assertThat(thread.isAlive()).isFalse();
    assertThat(ranOn.get()).isSameAs(thread);
  }

  @Test
  void theAgentArgumentOffStartsNoWarmUp() {
    WarmUpAgent.premain("off", null);

    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals(WarmUpAgent.THREAD_NAME));
  }

  @Test
  void classesAreLoadedWithoutRunningTheirStaticInitialisers() {
    String outcome = new ClassPreloader(List.of("io/keyflow/warmupfixture/")).run();

    assertThat(outcome).startsWith("1 classes loaded and linked");
    assertThat(System.getProperty(InitialisedOnFirstUse.PROPERTY)).isNull();
  }

  private interface Body {
    String run() throws Exception;
  }

  private static WarmUpStep step(String name, Body body) {
    return new WarmUpStep() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String run() throws Exception {
        return body.run();
      }
    };
  }
}
