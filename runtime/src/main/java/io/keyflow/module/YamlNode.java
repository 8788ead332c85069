package io.keyflow.module;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A read-only view of one value of a {@code module.yaml} document that knows where it is: file,
 * document number, the document's kind and the path to the value ({@code
 * spec.topics[0].valueType}).
 *
 * <p>This is what a {@link ComponentBinder} reads its spec through. Every accessor reports a
 * missing field, a value of the wrong type or an unparsable value as a {@link ModuleException} that
 * names the field, the value and what is accepted, so binders do not need to write those messages
 * themselves; {@link #error} builds the same kind of message for binder-specific rules.
 *
 * <p>Conversions are lenient where YAML makes it easy to be surprised: a number or boolean is
 * accepted where a string is expected, in its written form ({@code groupId: 0123} reads as {@code
 * "0123"}); a quoted number is accepted where a number is expected; a key with an empty ({@code
 * null}) value counts as absent.
 */
public final class YamlNode {

  private final String file;
  private final int document;
  private final String kind;
  private final String path;
  private final Node node;
  private final Map<String, Node> entries;

  YamlNode(String file, int document, String kind, String path, Node node) {
    this.file = file;
    this.document = document;
    this.kind = kind;
    this.path = path;
    this.node = node;
    this.entries = node instanceof MappingNode mapping ? entriesOf(mapping) : null;
  }

  /**
   * Reads {@code specYaml} as the {@code spec} of a single-document file named {@code sourceName}
   * whose kind is {@code kind}; for testing a {@link ComponentBinder} directly.
   */
  public static YamlNode parseSpec(String sourceName, String kind, String specYaml) {
    return Documents.parseSpec(sourceName, kind, specYaml);
  }

  /** The path of this value within its document, such as {@code spec.transport}. */
  public String path() {
    return path;
  }

  public String file() {
    return file;
  }

  /** The 1-based number of the document within its file. */
  public int document() {
    return document;
  }

  /** The kind of the document this value belongs to; null while the kind is being read. */
  public String kind() {
    return kind;
  }

  /** The keys of this object in file order, including keys whose value is empty. */
  public Set<String> keys() {
    return Collections.unmodifiableSet(object().keySet());
  }

  /** Whether this object has {@code key} with a non-empty value. */
  public boolean has(String key) {
    return value(key) != null;
  }

  public String requireString(String key) {
    return Scalars.text(this, key, require(key, Scalars.STRING), Scalars.STRING);
  }

  public Optional<String> optionalString(String key) {
    Node value = value(key);
    return value == null
        ? Optional.empty()
        : Optional.of(Scalars.text(this, key, value, Scalars.STRING));
  }

  public int requireInt(String key) {
    return Scalars.toInt(this, key, require(key, Scalars.INT));
  }

  public int optionalInt(String key, int dflt) {
    Node value = value(key);
    return value == null ? dflt : Scalars.toInt(this, key, value);
  }

  public long optionalLong(String key, long dflt) {
    Node value = value(key);
    return value == null ? dflt : Scalars.toLong(this, key, value);
  }

  public boolean optionalBoolean(String key, boolean dflt) {
    Node value = value(key);
    return value == null ? dflt : Scalars.toBoolean(this, key, value);
  }

  /** A duration in Flink's syntax: {@code 30s}, {@code 500 ms}, {@code 2min}; bare = millis. */
  public Duration requireDuration(String key) {
    return Scalars.toDuration(this, key, require(key, Durations.EXPECTED));
  }

  public Duration optionalDuration(String key, Duration dflt) {
    return optionalDuration(key).orElse(dflt);
  }

  public Optional<Duration> optionalDuration(String key) {
    Node value = value(key);
    return value == null ? Optional.empty() : Optional.of(Scalars.toDuration(this, key, value));
  }

  /**
   * The value of {@code key} as plain Java data, as the YAML core schema reads it: maps, lists,
   * strings, numbers, booleans and nulls; empty when the key is absent. For fields that carry
   * free-form data, such as a JSON message written as YAML.
   */
  public Optional<Object> optionalData(String key) {
    Node value = value(key);
    if (value == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        new StandardConstructor(LoadSettings.builder().setLabel(file).build())
            .constructSingleDocument(Optional.of(value)));
  }

  /** A typename, {@code namespace/name}. */
  public TypeName requireTypeName(String key) {
    return Scalars.toTypeName(this, key, require(key, "a typename, " + TypeName.EXPECTED));
  }

  public YamlNode requireObject(String key) {
    return toObject(key, require(key, "an object"));
  }

  public Optional<YamlNode> optionalObject(String key) {
    Node value = value(key);
    return value == null ? Optional.empty() : Optional.of(toObject(key, value));
  }

  /** The elements of a list, each a node whose path is {@code key[i]}. */
  public List<YamlNode> requireList(String key) {
    return toList(key, require(key, "a list"));
  }

  /** Like {@link #requireList}, but an absent key gives an empty list. */
  public List<YamlNode> optionalList(String key) {
    Node value = value(key);
    return value == null ? List.of() : toList(key, value);
  }

  /** A list of strings, such as {@code [a, b]} or a block list. */
  public List<String> requireStringList(String key) {
    List<String> strings = new ArrayList<>();
    for (YamlNode element : requireList(key)) {
      strings.add(element.asString());
    }
    return List.copyOf(strings);
  }

  /** This value as a string; for the elements of a list. */
  public String asString() {
    return Scalars.text(this, null, node, Scalars.STRING);
  }

  /** This value as a typename; for the elements of a list. */
  public TypeName asTypeName() {
    return Scalars.toTypeName(this, null, node);
  }

  /**
   * Properties in StateFun's style, a list of single-entry maps ({@code - max.poll.records: 500}),
   * or a plain map. Values are returned in their written form; order is kept. An absent key gives
   * an empty map.
   */
  public Map<String, String> optionalProperties(String key) {
    Node value = value(key);
    return value == null ? Map.of() : PropertyList.read(this, key, value);
  }

  /**
   * Fails on the first key of this object that is not one of {@code accepted}, naming it, listing
   * the accepted keys and suggesting the closest one when it looks like a typo.
   */
  public void allowOnlyKeys(String... accepted) {
    List<String> known = Arrays.asList(accepted);
    for (String key : object().keySet()) {
      if (!known.contains(key)) {
        throw error(
            key,
            "unknown key '" + key + "'" + Spelling.hint(key, known),
            "one of " + String.join(", ", known));
      }
    }
  }

  /**
   * An error at {@code key} of this object (or at this value when {@code keyOrNull} is null), in
   * the form {@code file, document N (kind), path: problem; expected expected}.
   */
  public ModuleException error(String keyOrNull, String problem, String expected) {
    return ModuleException.at(
        file, document, kind, keyOrNull == null ? path : pathOf(keyOrNull), problem, expected);
  }

  @Override
  public String toString() {
    return file + ", document " + document + (path.isEmpty() ? "" : ", " + path);
  }

  String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  YamlNode child(String childPath, Node value) {
    return new YamlNode(file, document, kind, childPath, value);
  }

  Node node() {
    return node;
  }

  private Map<String, Node> object() {
    if (entries == null) {
      throw error(null, "got " + Scalars.describe(node), "an object");
    }
    return entries;
  }

  /** The value of {@code key}, or null when it is absent or empty. */
  private Node value(String key) {
    Node value = object().get(key);
    return value == null || Scalars.isNull(value) ? null : value;
  }

  private Node require(String key, String expected) {
    Node value = value(key);
    if (value == null) {
      throw error(key, "missing", expected);
    }
    return value;
  }

  private YamlNode toObject(String key, Node value) {
    if (!(value instanceof MappingNode)) {
      throw error(key, "got " + Scalars.describe(value), "an object");
    }
    return child(pathOf(key), value);
  }

  private List<YamlNode> toList(String key, Node value) {
    if (!(value instanceof SequenceNode sequence)) {
      throw error(key, "got " + Scalars.describe(value), "a list");
    }
    List<YamlNode> elements = new ArrayList<>();
    for (Node element : sequence.getValue()) {
      elements.add(child(pathOf(key) + "[" + elements.size() + "]", element));
    }
    return List.copyOf(elements);
  }

  private Map<String, Node> entriesOf(MappingNode mapping) {
    Map<String, Node> result = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        throw error(
            null,
            "has a key that is " + Scalars.describe(tuple.getKeyNode()),
            "plain keys such as urlPathTemplate");
      }
      String key = keyNode.getValue();
      if (result.put(key, tuple.getValueNode()) != null) {
        throw error(key, "key '" + key + "' appears twice", "each key once");
      }
    }
    return result;
  }
}
