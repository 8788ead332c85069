package io.keyflow.io.kafka;

import io.keyflow.module.ModuleException;
import java.util.List;

/**
 * The error that {@link PooledTransactionalSink#checkBeforeStart()} refuses a job with when Kafka
 * answers that topics do not exist, for tests in other packages that check what it says about their
 * sink without a broker.
 */
public final class PooledSinkRefusal {
  private PooledSinkRefusal() {}

  /** The refusal of {@code sink} when the {@code missing} topics do not exist. */
  public static ModuleException of(PooledTransactionalSink sink, String... missing) {
    return sink.refusal(List.of(missing));
  }
}
