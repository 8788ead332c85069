package io.keyflow.testkit.unit;

import io.keyflow.protocol.reqreply.FromFunction.PersistedValueSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values a function declared in the missing-values handshake, by name, as Keyflow registers
 * them: a spec that names a registered value with another type fails, as it fails the job.
 */
final class DeclaredValues {
  /** Typename of a spec that declares none, as the runtime registers it. */
  static final String UNSET_TYPE = "io.statefun.types/unset";

  private final Map<String, PersistedValueSpec> specs = new LinkedHashMap<>();

  /**
   * Registers the specs a function says are missing.
   *
   * @return false if every one was registered already (the function asks again for values it was
   *     sent)
   */
  boolean register(Iterable<PersistedValueSpec> missing, String address) {
    boolean added = false;
    for (PersistedValueSpec spec : missing) {
      PersistedValueSpec known = specs.get(spec.getStateName());
      if (known == null) {
        specs.put(spec.getStateName(), spec);
        added = true;
      } else if (!typename(known).equals(typename(spec))) {
        throw FunctionCallFailed.protocol(
            address,
            "declares value '"
                + spec.getStateName()
                + "' as "
                + typename(spec)
                + " after declaring it as "
                + typename(known)
                + "; Keyflow fails the job on such a change");
      }
    }
    return added;
  }

  boolean contains(String name) {
    return specs.containsKey(name);
  }

  String typenameOf(String name) {
    return typename(specs.get(name));
  }

  Iterable<String> names() {
    return specs.keySet();
  }

  static String typename(PersistedValueSpec spec) {
    return spec.getTypeTypename().isEmpty() ? UNSET_TYPE : spec.getTypeTypename();
  }

  @Override
  public String toString() {
    return specs.keySet().toString();
  }
}
