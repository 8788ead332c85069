package io.keyflow.io;

import io.keyflow.module.IngressComponent;
import io.keyflow.protocol.internal.Envelope;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * An ingress declared in {@code module.yaml} (or added programmatically): a source of messages
 * addressed to functions.
 *
 * <p>Implementations come from a {@link io.keyflow.module.ComponentBinder} for their kind. The
 * stream they return carries {@link Envelope}s whose target is set and whose caller is unset.
 */
public interface Ingress extends IngressComponent {

  /**
   * Adds this ingress's source (and any routing operators) to the job.
   *
   * @param uidPrefix prefix for the UIDs of the operators this ingress adds; UIDs must stay the
   *     same across releases, since savepoints find operator state by them
   */
  DataStream<Envelope> createStream(StreamExecutionEnvironment env, String uidPrefix);

  /**
   * What this ingress needs outside the job (such as the topics a Kafka ingress reads), checked
   * once before the job is built together with the module's other checks; a check that fails
   * refuses the job with an exception naming the fix. Not checked on Flink's restarts of a running
   * job. By default there is nothing to check.
   */
  default List<StartCheck> startChecks() {
    return List.of();
  }
}
