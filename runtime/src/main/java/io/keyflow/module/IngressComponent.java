package io.keyflow.module;

/**
 * A component that feeds records into the functions, such as a Kafka ingress. The job-building side
 * extends this interface with what it needs to create the source.
 */
public interface IngressComponent extends Component {

  /** The ingress id; unique within a module. */
  TypeName id();
}
