package io.keyflow.module;

import java.io.Serializable;

/**
 * One component declared by a {@code module.yaml} document: an endpoint, an ingress or an egress. A
 * {@link ComponentBinder} turns a document's {@code spec} into a component; components travel
 * inside the Flink job graph, hence {@link Serializable}.
 */
public interface Component extends Serializable {}
