package io.keyflow.module;

import java.io.Serializable;

/**
 * Which function types an endpoint serves: one type ({@code shop/cart}) or every type of a
 * namespace ({@code shop/*}). When both kinds of pattern match a type, the exact one wins (see
 * {@link Module#endpointFor}).
 */
public sealed interface FunctionPattern extends Serializable
    permits FunctionPattern.Exact, FunctionPattern.Namespace {

  /** What {@link #parse} accepts, for error messages. */
  String EXPECTED =
      "namespace/name for one function type or namespace/* for a whole namespace,"
          + " such as shop/cart or shop/*";

  boolean matches(TypeName type);

  /**
   * Parses the YAML form: {@code ns/name} or {@code ns/*}. Wildcards are allowed only as the whole
   * name: <code>&#42;/x</code>, {@code ns/ab*} and {@code *} are rejected with an {@link
   * IllegalArgumentException} whose message says what is accepted.
   */
  static FunctionPattern parse(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("function pattern is empty; expected " + EXPECTED);
    }
    int slash = s.indexOf('/');
    if (slash < 0 || s.indexOf('/', slash + 1) >= 0) {
      throw rejected(s, "it needs exactly one '/'");
    }
    String namespace = s.substring(0, slash);
    String name = s.substring(slash + 1);
    if (namespace.isEmpty() || name.isEmpty()) {
      throw rejected(s, "namespace and name must both be non-empty");
    }
    if (namespace.indexOf('*') >= 0) {
      throw rejected(s, "the namespace cannot contain a wildcard");
    }
    if (name.equals("*")) {
      return new Namespace(namespace);
    }
    if (name.indexOf('*') >= 0) {
      throw rejected(s, "a wildcard must be the whole name, as in " + namespace + "/*");
    }
    return new Exact(new TypeName(namespace, name));
  }

  private static IllegalArgumentException rejected(String s, String why) {
    return new IllegalArgumentException(
        "'" + s + "' is not a function pattern (" + why + "); expected " + EXPECTED);
  }

  /** Serves exactly one function type. */
  record Exact(TypeName type) implements FunctionPattern {
    public Exact {
      if (type == null) {
        throw new IllegalArgumentException("function type is missing; expected " + EXPECTED);
      }
      if (type.namespace().indexOf('*') >= 0 || type.name().indexOf('*') >= 0) {
        throw rejected(type.toString(), "an exact function type cannot contain a wildcard");
      }
    }

    @Override
    public boolean matches(TypeName candidate) {
      return type.equals(candidate);
    }

    @Override
    public String toString() {
      return type.toString();
    }
  }

  /** Serves every function type in one namespace. */
  record Namespace(String namespace) implements FunctionPattern {
    public Namespace {
      if (namespace == null
          || namespace.isEmpty()
          || namespace.indexOf('/') >= 0
          || namespace.indexOf('*') >= 0) {
        throw rejected(namespace + "/*", "the namespace must be non-empty, without '/' or '*'");
      }
    }

    @Override
    public boolean matches(TypeName candidate) {
      return namespace.equals(candidate.namespace());
    }

    @Override
    public String toString() {
      return namespace + "/*";
    }
  }
}
