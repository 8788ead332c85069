package io.keyflow.job;

import io.keyflow.module.TypeName;

/**
 * Names and UIDs of the operators of a Keyflow job. Savepoints find operator state by UID: never
 * change these.
 */
public final class OperatorIds {
  public static final String DISPATCHER_NAME = "functions";
  public static final String DISPATCHER_UID = "keyflow-dispatcher";

  private OperatorIds() {}

  /** Prefix for the operators of an ingress. */
  public static String ingress(TypeName id) {
    return "keyflow-ingress-" + id.namespace() + "-" + id.name();
  }

  /** Prefix for the operators of an egress. */
  public static String egress(TypeName id) {
    return "keyflow-egress-" + id.namespace() + "-" + id.name();
  }
}
