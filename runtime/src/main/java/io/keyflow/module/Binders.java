package io.keyflow.module;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/** The binders by kind: the built-in endpoint kinds, then those found by ServiceLoader. */
final class Binders {

  private final Map<String, List<ComponentBinder>> byKind = new LinkedHashMap<>();

  private Binders() {}

  static Binders discover(ClassLoader loader) {
    Binders binders = new Binders();
    binders.add(new HttpEndpointBinder());
    binders.add(new HttpEndpointV1Binder());
    try {
      for (ComponentBinder binder : ServiceLoader.load(ComponentBinder.class, loader)) {
        // Built-in kinds are not replaceable: a stray service entry must not change how
        // endpoints are read.
        if (!binders.isBuiltIn(binder.kind())) {
          binders.add(binder);
        }
      }
    } catch (ServiceConfigurationError e) {
      throw ModuleException.binderUnavailable(e);
    }
    return binders;
  }

  /** The binder of {@code kind}, or null when no binder reads it. */
  ComponentBinder forKind(String kind) {
    List<ComponentBinder> candidates = byKind.get(kind);
    if (candidates == null) {
      return null;
    }
    if (candidates.size() > 1) {
      throw ModuleException.ambiguousKind(
          kind, candidates.get(0).getClass().getName(), candidates.get(1).getClass().getName());
    }
    return candidates.get(0);
  }

  Set<String> kinds() {
    return new TreeSet<>(byKind.keySet());
  }

  private boolean isBuiltIn(String kind) {
    return HttpEndpointBinder.KIND.equals(kind) || HttpEndpointV1Binder.KIND.equals(kind);
  }

  private void add(ComponentBinder binder) {
    if (binder.kind() != null) {
      byKind.computeIfAbsent(binder.kind(), k -> new ArrayList<>()).add(binder);
    }
  }
}
