package io.keyflow.io;

import io.keyflow.module.EgressComponent;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * An egress declared in {@code module.yaml} (or added programmatically): where functions send
 * records that leave Keyflow. Functions address it by its id in their egress messages.
 */
public interface Egress extends EgressComponent {

  /**
   * Adds this egress's sink to the job.
   *
   * @param records every record functions sent to this egress, as the functions sent them
   * @param uidPrefix prefix for the UIDs of the operators this egress adds
   */
  void attach(DataStream<TypedValue> records, String uidPrefix);

  /**
   * What this egress needs outside the job (such as the topics a Kafka egress declares), checked
   * once before the job is built together with the module's other checks; a check that fails
   * refuses the job with an exception naming the fix. Not checked on Flink's restarts of a running
   * job. By default there is nothing to check.
   */
  default List<StartCheck> startChecks() {
    return List.of();
  }

  /**
   * Whether this egress only delivers on checkpoints (a transactional sink); Keyflow then refuses
   * to start with checkpointing disabled.
   */
  default boolean requiresCheckpointing() {
    return false;
  }
}
