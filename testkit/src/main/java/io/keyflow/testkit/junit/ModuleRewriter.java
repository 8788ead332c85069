package io.keyflow.testkit.junit;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Points a {@code module.yaml} at the test's components: every Kafka {@code address} (ingresses,
 * egresses, gateway) at the test broker, every HTTP endpoint's {@code urlPathTemplate} at the kit's
 * function server (path kept), the gateway at a free port; and Kafka ingresses start from the
 * earliest offset, so records a test sends before the job has its partitions are read too (the
 * test's topics are new, so that is only what the test sent). Also lists the topics the module
 * reads, the gateway writes and egresses declare, which the kit creates before the job starts.
 */
final class ModuleRewriter {
  private ModuleRewriter() {}

  /** The rewritten module and the topics it reads from or declares. */
  record Rewritten(String yaml, Set<String> topics) {}

  static Rewritten rewrite(
      String source, String yaml, String bootstrapServers, String functionsUrl) {
    List<Object> documents = new ArrayList<>();
    Set<String> topics = new LinkedHashSet<>();
    for (Object document :
        new Load(LoadSettings.builder().setLabel(source).build()).loadAllFromString(yaml)) {
      if (document == null) {
        continue;
      }
      documents.add(document);
      if (!(document instanceof Map<?, ?> map)
          || !(map.get("kind") instanceof String kind)
          || !(map.get("spec") instanceof Map<?, ?> rawSpec)) {
        continue; // The loader reports malformed documents with their position.
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) rawSpec;
      if (kind.matches("io\\.statefun\\.endpoints\\.v\\d+/https?")) {
        Object template = spec.get("urlPathTemplate");
        if (template instanceof String url) {
          spec.put("urlPathTemplate", functionsUrl + pathOf(url));
        }
      } else if (kind.startsWith("io.statefun.kafka.") || kind.startsWith("io.keyflow.gateway.")) {
        spec.put("address", bootstrapServers);
        if (kind.endsWith("/ingress")) {
          Map<String, Object> earliest = new LinkedHashMap<>();
          earliest.put("type", "earliest");
          spec.put("startupPosition", earliest);
          if (spec.get("topics") instanceof List<?> list) {
            for (Object topic : list) {
              if (topic instanceof Map<?, ?> t && t.get("topic") instanceof String name) {
                topics.add(name);
              }
            }
          }
        }
        if (kind.endsWith("/egress") && spec.get("topics") instanceof List<?> list) {
          // An exactly-once egress that declares its topics lists the open transactions on
          // them when it starts, which fails while a topic does not exist.
          for (Object topic : list) {
            addIfText(topics, topic);
          }
        }
        if (kind.startsWith("io.keyflow.gateway.")) {
          spec.put("listen", "127.0.0.1:0");
          addIfText(topics, spec.get("requestTopic"));
          addIfText(topics, spec.get("replyTopic"));
        }
      }
    }
    String out =
        new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build())
            .dumpAllToString(documents.iterator());
    return new Rewritten(out, topics);
  }

  /** The path and query of an endpoint URL template, such as {@code /statefun/{function.name}}. */
  private static String pathOf(String template) {
    // {function.name} is no valid URI character; parse the rest and put it back afterwards.
    String placeholder = "KEYFLOWFUNCTIONNAME";
    URI uri = URI.create(template.replace("{function.name}", placeholder));
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return (path + query).replace(placeholder, "{function.name}");
  }

  private static void addIfText(Set<String> topics, Object value) {
    if (value instanceof String s && !s.isBlank()) {
      topics.add(s);
    }
  }
}
