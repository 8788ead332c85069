package io.keyflow.module;

/**
 * A component that receives the records functions send to an egress id, such as a Kafka egress. The
 * job-building side extends this interface with what it needs to create the sink.
 */
public interface EgressComponent extends Component {

  /** The egress id functions address; unique within a module. */
  TypeName id();
}
