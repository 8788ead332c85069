package io.keyflow.module;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the components of one or more files and rejects double bindings: the same function type,
 * namespace, ingress id, egress id or schedule id declared twice would leave it ambiguous which one
 * the runtime uses. Also rejects dead letters aimed at a topic their egress does not declare, which
 * the egress would skip.
 */
final class ModuleAssembly {

  /** A component and the spec it was read from, for error messages. */
  record Bound(Component component, YamlNode spec) {}

  private final List<HttpEndpoint> endpoints = new ArrayList<>();
  private final Map<HttpEndpoint, YamlNode> endpointSpecs = new IdentityHashMap<>();
  private final List<IngressComponent> ingresses = new ArrayList<>();
  private final List<EgressComponent> egresses = new ArrayList<>();
  private final List<ScheduleComponent> schedules = new ArrayList<>();
  private final Map<String, YamlNode> functionPatterns = new HashMap<>();
  private final Map<TypeName, YamlNode> ingressIds = new HashMap<>();
  private final Map<TypeName, YamlNode> egressIds = new HashMap<>();
  private final Map<String, YamlNode> scheduleIds = new HashMap<>();

  void add(Bound bound) {
    YamlNode spec = bound.spec();
    if (bound.component() instanceof HttpEndpoint endpoint) {
      String pattern = endpoint.functions().toString();
      claim(
          functionPatterns,
          pattern,
          spec,
          "functions",
          "overlapping function patterns: " + pattern + " is bound twice",
          "each function type and each namespace bound by one endpoint only");
      endpoints.add(endpoint);
      endpointSpecs.put(endpoint, spec);
    }
    if (bound.component() instanceof IngressComponent ingress) {
      claim(
          ingressIds,
          ingress.id(),
          spec,
          "id",
          "duplicate ingress id " + ingress.id(),
          "each ingress id declared once");
      ingresses.add(ingress);
    }
    if (bound.component() instanceof EgressComponent egress) {
      claim(
          egressIds,
          egress.id(),
          spec,
          "id",
          "duplicate egress id " + egress.id(),
          "each egress id declared once");
      egresses.add(egress);
    }
    if (bound.component() instanceof ScheduleComponent schedule) {
      claim(
          scheduleIds,
          schedule.id(),
          spec,
          "id",
          "duplicate schedule id " + schedule.id(),
          "each schedule id declared once");
      schedules.add(schedule);
    }
  }

  Module build(String source) {
    for (HttpEndpoint endpoint : endpoints) {
      checkDeadLetterTopic(endpoint);
    }
    return new Module(source, endpoints, ingresses, egresses, schedules);
  }

  private void checkDeadLetterTopic(HttpEndpoint endpoint) {
    FailurePolicy failures = endpoint.failures();
    if (failures.deadLetterEgress() == null) {
      return;
    }
    for (EgressComponent egress : egresses) {
      List<String> topics = egress.topics();
      if (egress.id().equals(failures.deadLetterEgress())
          && !topics.isEmpty()
          && !topics.contains(failures.deadLetterTopic())) {
        YamlNode egressSpec = egressIds.get(egress.id());
        throw endpointSpecs
            .get(endpoint)
            .error(
                "failures.deadLetter.topic",
                "'"
                    + failures.deadLetterTopic()
                    + "' is not among the topics egress "
                    + egress.id()
                    + " declares "
                    + topics
                    + " ("
                    + egressSpec.file()
                    + ", document "
                    + egressSpec.document()
                    + "), so it would skip every dead letter",
                "one of " + topics + ", or add the topic to that egress's topics");
      }
    }
  }

  private static <K> void claim(
      Map<K, YamlNode> claimed, K key, YamlNode spec, String field, String problem, String rule) {
    YamlNode first = claimed.putIfAbsent(key, spec);
    if (first != null) {
      String where =
          first.file().equals(spec.file())
              ? "document " + first.document()
              : first.file() + ", document " + first.document();
      throw spec.error(field, problem + " (first in " + where + ")", rule);
    }
  }
}
