package io.keyflow.dispatch;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.FromFunction.EgressMessage;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips egress records addressed to an egress that module.yaml does not declare. A function's typo
 * must not take the job down (it would fail again on every replay), so each such record is counted
 * ({@code keyflowUnknownEgressRecords}) and the first one per egress id is logged as a warning
 * naming the function, the egress and the declared egresses.
 */
final class UnknownEgressRecords {
  private static final Logger LOG = LoggerFactory.getLogger(UnknownEgressRecords.class);

  private final Counter skipped;
  private final Set<TypeName> declared;
  private final Set<String> reported = new HashSet<>();

  UnknownEgressRecords(Counter skipped, Set<TypeName> declared) {
    this.skipped = skipped;
    this.declared = declared;
  }

  void skip(AddressKey sender, EgressMessage egress) {
    skipped.inc();
    String id = egress.getEgressNamespace() + "/" + egress.getEgressType();
    if (reported.add(id)) {
      LOG.warn(
          "Function {} sent a record to egress '{}', which module.yaml does not declare"
              + " (declared: {}); skipping it and every further record to that egress, counted in"
              + " keyflowUnknownEgressRecords",
          sender,
          id,
          declared.isEmpty() ? "none" : declared);
    } else {
      LOG.debug("Skipping a record from {} to undeclared egress '{}'", sender, id);
    }
  }
}
