package io.keyflow.module;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/** Reads {@link YamlNode#optionalProperties}: StateFun's list of single-entry maps, or a map. */
final class PropertyList {

  private static final String EXPECTED =
      "a list of single-entry maps such as [{max.poll.records: 500}], or a map";

  private PropertyList() {}

  static Map<String, String> read(YamlNode at, String key, Node value) {
    Map<String, String> properties = new LinkedHashMap<>();
    String path = at.pathOf(key);
    if (value instanceof MappingNode map) {
      for (NodeTuple entry : map.getValue()) {
        put(at.child(path, map), properties, entry);
      }
    } else if (value instanceof SequenceNode list) {
      List<Node> elements = list.getValue();
      for (int i = 0; i < elements.size(); i++) {
        YamlNode element = at.child(path + "[" + i + "]", elements.get(i));
        if (!(elements.get(i) instanceof MappingNode single) || single.getValue().size() != 1) {
          throw element.error(
              null, "got " + Scalars.describe(elements.get(i)), "a single-entry map such as a: b");
        }
        put(element, properties, single.getValue().get(0));
      }
    } else {
      throw at.error(key, "got " + Scalars.describe(value), EXPECTED);
    }
    return Collections.unmodifiableMap(properties);
  }

  private static void put(YamlNode at, Map<String, String> properties, NodeTuple entry) {
    if (!(entry.getKeyNode() instanceof ScalarNode keyNode)) {
      throw at.error(
          null, "has a key that is " + Scalars.describe(entry.getKeyNode()), "plain keys");
    }
    String name = keyNode.getValue();
    Node value = entry.getValueNode();
    if (Scalars.isNull(value)) {
      throw at.error(name, "property '" + name + "' has no value", "a value");
    }
    String text = Scalars.text(at, name, value, "a plain value");
    if (properties.put(name, text) != null) {
      throw at.error(name, "property '" + name + "' is given twice", "each property once");
    }
  }
}
