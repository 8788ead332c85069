package io.keyflow.job;

import io.keyflow.module.TypeName;

/**
 * Names and UIDs of the operators of a Keyflow job. Savepoints find operator state by UID: never
 * change these.
 */
public final class OperatorIds {
  public static final String HEAD_NAME = "feedback-union";
  public static final String HEAD_UID = "keyflow-feedback-head";
  public static final String DISPATCHER_NAME = "functions";
  public static final String DISPATCHER_UID = "keyflow-dispatcher";
  public static final String TAIL_NAME = "feedback";
  public static final String TAIL_UID = "keyflow-feedback-tail";

  /** The input of a job without ingress, whose messages all come from its schedules. */
  public static final String NO_INGRESS_NAME = "no-ingress";

  public static final String NO_INGRESS_UID = "keyflow-no-ingress";

  /** Head, dispatcher and tail of a subtask share a JVM through this co-location group. */
  public static final String FEEDBACK_COLOCATION = "keyflow-feedback";

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
