package io.keyflow.module;

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
}
