package io.keyflow.module;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the {@code module.yaml} files of an application declare: the HTTP endpoints that serve
 * its functions, its ingresses, its egresses and its schedules. Built by {@link ModuleLoader},
 * which also guarantees that no function type, namespace, ingress id, egress id or schedule id is
 * bound twice.
 *
 * @param source where the module was loaded from, such as {@code classpath:module.yaml}
 */
public record Module(
    String source,
    List<HttpEndpoint> endpoints,
    List<IngressComponent> ingresses,
    List<EgressComponent> egresses,
    List<ScheduleComponent> schedules)
    implements Serializable {

  public Module {
    Objects.requireNonNull(source, "source");
    endpoints = List.copyOf(endpoints);
    ingresses = List.copyOf(ingresses);
    egresses = List.copyOf(egresses);
    schedules = List.copyOf(schedules);
  }

  /** A module without schedules. */
  public Module(
      String source,
      List<HttpEndpoint> endpoints,
      List<IngressComponent> ingresses,
      List<EgressComponent> egresses) {
    this(source, endpoints, ingresses, egresses, List.of());
  }

  /**
   * The endpoint serving {@code functionType}: the one bound to exactly this type if any, otherwise
   * the one bound to its namespace.
   */
  public Optional<HttpEndpoint> endpointFor(TypeName functionType) {
    HttpEndpoint byNamespace = null;
    for (HttpEndpoint endpoint : endpoints) {
      if (endpoint.functions().matches(functionType)) {
        if (endpoint.functions() instanceof FunctionPattern.Exact) {
          return Optional.of(endpoint);
        }
        if (byNamespace == null) {
          byNamespace = endpoint;
        }
      }
    }
    return Optional.ofNullable(byNamespace);
  }

  public Optional<EgressComponent> egress(TypeName id) {
    return egresses.stream().filter(e -> e.id().equals(id)).findFirst();
  }
}
