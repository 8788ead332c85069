package io.keyflow.job;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.io.Egress;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.junit.jupiter.api.Test;

class ExactlyOnceGuardTest {

  private record TransactionalEgress(TypeName id) implements Egress {
    @Override
    public void attach(DataStream<TypedValue> records, String uidPrefix) {}

    @Override
    public boolean requiresCheckpointing() {
      return true;
    }
  }

  private static Configuration conf(String... keyValues) {
    Configuration conf = new Configuration();
    for (int i = 0; i < keyValues.length; i += 2) {
      conf.setString(keyValues[i], keyValues[i + 1]);
    }
    return conf;
  }

  @Test
  void alignedExactlyOnceCheckpointsAreAccepted() {
    assertThatCode(
            () ->
                ExactlyOnceGuard.check(
                    conf("execution.checkpointing.interval", "10 s"),
                    List.of(new TransactionalEgress(TypeName.parse("shop/out")))))
        .doesNotThrowAnyException();
  }

  @Test
  void unalignedCheckpointsAreRefused() {
    assertThatThrownBy(
            () ->
                ExactlyOnceGuard.check(
                    conf(
                        "execution.checkpointing.interval", "10 s",
                        "execution.checkpointing.unaligned.enabled", "true"),
                    List.of()))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("execution.checkpointing.unaligned.enabled")
        .hasMessageContaining("aligned checkpoints");
  }

  @Test
  void atLeastOnceCheckpointsAreRefused() {
    assertThatThrownBy(
            () ->
                ExactlyOnceGuard.check(
                    conf(
                        "execution.checkpointing.interval", "10 s",
                        "execution.checkpointing.mode", "AT_LEAST_ONCE"),
                    List.of()))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("execution.checkpointing.mode")
        .hasMessageContaining("EXACTLY_ONCE");
  }

  @Test
  void heapTimersAreRefused() {
    assertThatThrownBy(
            () ->
                ExactlyOnceGuard.check(
                    conf("state.backend.rocksdb.timer-service.factory", "HEAP"), List.of()))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("ROCKSDB");
  }

  @Test
  void transactionalEgressWithoutCheckpointingIsRefused() {
    assertThatThrownBy(
            () ->
                ExactlyOnceGuard.check(
                    new Configuration(),
                    List.of(new TransactionalEgress(TypeName.parse("shop/out")))))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("shop/out")
        .hasMessageContaining("execution.checkpointing.interval");
  }
}
