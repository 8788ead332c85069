package io.keyflow.module;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Converts YAML scalars for {@link YamlNode}. Works on the text as written rather than on what a
 * YAML schema would make of it, so that {@code 0123} stays {@code "0123"} for a string field.
 */
final class Scalars {

  static final String STRING = "a string";
  static final String INT = "a whole number such as 1000";
  static final String BOOLEAN = "true or false";

  private static final Pattern WHOLE = Pattern.compile("[-+]?[0-9]+");
  private static final int MAX_SHOWN = 60;

  private Scalars() {}

  static boolean isNull(Node node) {
    return node instanceof ScalarNode scalar
        && Tag.NULL.equals(scalar.getTag())
        && scalar.isPlain();
  }

  /** Describes a value for an error message: {@code 'text'}, {@code a list}, {@code an object}. */
  static String describe(Node node) {
    if (node instanceof ScalarNode scalar) {
      String text = scalar.getValue();
      return "'" + (text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text) + "'";
    }
    return node instanceof MappingNode ? "an object" : "a list";
  }

  static String text(YamlNode at, String key, Node value, String expected) {
    if (!(value instanceof ScalarNode scalar)) {
      throw at.error(key, "got " + describe(value), expected);
    }
    return scalar.getValue();
  }

  static int toInt(YamlNode at, String key, Node value) {
    BigInteger n = whole(at, key, value, INT);
    if (n.bitLength() >= Integer.SIZE) {
      throw at.error(key, "got " + describe(value) + ", which is too large", INT);
    }
    return n.intValue();
  }

  static long toLong(YamlNode at, String key, Node value) {
    BigInteger n = whole(at, key, value, INT);
    if (n.bitLength() >= Long.SIZE) {
      throw at.error(key, "got " + describe(value) + ", which is too large", INT);
    }
    return n.longValue();
  }

  static boolean toBoolean(YamlNode at, String key, Node value) {
    String text = text(at, key, value, BOOLEAN).trim().toLowerCase(Locale.ROOT);
    if (text.equals("true")) {
      return true;
    }
    if (text.equals("false")) {
      return false;
    }
    throw at.error(key, "got " + describe(value), BOOLEAN);
  }

  static Duration toDuration(YamlNode at, String key, Node value) {
    String text = text(at, key, value, Durations.EXPECTED);
    Duration duration = Durations.parse(text);
    if (duration == null) {
      throw at.error(key, "bad duration '" + text + "'", Durations.EXPECTED);
    }
    return duration;
  }

  static TypeName toTypeName(YamlNode at, String key, Node value) {
    String text = text(at, key, value, "a typename, " + TypeName.EXPECTED);
    try {
      return TypeName.parse(text);
    } catch (IllegalArgumentException e) {
      throw at.error(key, e.getMessage(), null);
    }
  }

  private static BigInteger whole(YamlNode at, String key, Node value, String expected) {
    String text = text(at, key, value, expected).trim();
    if (!WHOLE.matcher(text).matches()) {
      throw at.error(key, "got " + describe(value), expected);
    }
    return new BigInteger(text.startsWith("+") ? text.substring(1) : text);
  }
}
