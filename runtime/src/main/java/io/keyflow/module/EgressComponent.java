package io.keyflow.module;

import java.util.List;

/**
 * A component that receives the records functions send to an egress id, such as a Kafka egress. The
 * job-building side extends this interface with what it needs to create the sink.
 */
public interface EgressComponent extends Component {

  /** The egress id functions address; unique within a module. */
  TypeName id();

  /**
   * The most bytes one record may take in this egress, keys and overhead included, or {@link
   * Integer#MAX_VALUE} when it sets no limit. Keyflow cuts what it writes itself (dead letters) to
   * fit, rather than fail the sink on every restore.
   */
  default int maxRecordBytes() {
    return Integer.MAX_VALUE;
  }

  /**
   * The topics this egress writes to when its spec declares them (records to any other topic are
   * skipped), or an empty list when it writes to whatever topic a record names. Keyflow refuses a
   * module whose own records to this egress (dead letters) would name a topic outside the list.
   */
  default List<String> topics() {
    return List.of();
  }
}
