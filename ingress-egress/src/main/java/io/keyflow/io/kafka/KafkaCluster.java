package io.keyflow.io.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A Kafka cluster as components reach it: the bootstrap servers module.yaml names and the security
 * settings of their clients. Components that reach the same cluster the same way are asked about
 * their topics in one question ({@link DeclaredTopicsCheck}).
 *
 * @param bootstrapServers as module.yaml names them
 * @param security the components' {@code security.*}, {@code ssl.*} and {@code sasl.*} client
 *     properties
 */
record KafkaCluster(String bootstrapServers, Map<String, String> security) {

  KafkaCluster {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("a Kafka cluster needs its bootstrap servers");
    }
    security = Map.copyOf(security);
  }

  /** The cluster at {@code bootstrapServers} as a client with {@code properties} reaches it. */
  static KafkaCluster of(String bootstrapServers, Map<String, String> properties) {
    Map<String, String> security = new TreeMap<>();
    properties.forEach(
        (key, value) -> {
          if (key.startsWith("security.") || key.startsWith("ssl.") || key.startsWith("sasl.")) {
            security.put(key, value);
          }
        });
    return new KafkaCluster(bootstrapServers, security);
  }

  /**
   * The settings of an admin client that reaches this cluster as the components' own clients do,
   * with every request bounded by {@code millis}.
   */
  Map<String, Object> adminConfig(int millis) {
    Map<String, Object> config = new HashMap<>(security);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    return config;
  }
}
