package io.keyflow.statefun.reader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How StateFun names the keyed state of its functions operator: {@code namespace.type.name} per
 * function type, plus a few states of the operator itself.
 *
 * <p>Namespaces may contain dots, so a state name alone does not say where the type ends.
 * StateFun's request-reply function registers {@code request-state} and {@code batch} for every
 * function type it serves on a subtask; their prefixes name the types, and a value belongs to the
 * longest type its name starts with. Type names are taken to contain no dot.
 */
final class StateNames {
  static final String REQUEST_STATE = "request-state";
  static final String BATCH = "batch";
  static final String ASYNC_OPERATIONS = "asyncOperations";
  static final String DELAYED_BUFFER = "delayed-messages-buffer";
  static final String DELAYED_INDEX = "delayed-message-index";
  private static final String TIMERS = "_timer_state/";

  /**
   * A value of a function type.
   *
   * @param function {@code namespace/type}
   * @param name the value's name
   */
  record FunctionValue(String function, String name) {}

  private StateNames() {}

  /** The function types ({@code namespace.type}) the states name, longest first. */
  static List<String> functionTypes(Collection<String> states) {
    Set<String> types = new TreeSet<>();
    for (String name : states) {
      for (String suffix : List.of("." + REQUEST_STATE, "." + BATCH)) {
        if (name.endsWith(suffix) && name.length() > suffix.length()) {
          types.add(name.substring(0, name.length() - suffix.length()));
        }
      }
    }
    List<String> out = new ArrayList<>(types);
    out.sort(Comparator.comparingInt(String::length).reversed().thenComparing(s -> s));
    return out;
  }

  /** Whether {@code state} is StateFun's own (request machine, delays, timers), not a value. */
  static boolean isInternal(String state, Collection<String> types) {
    if (state.equals(ASYNC_OPERATIONS)
        || state.equals(DELAYED_BUFFER)
        || state.equals(DELAYED_INDEX)
        || state.startsWith(TIMERS)) {
      return true;
    }
    for (String type : types) {
      if (state.equals(type + "." + REQUEST_STATE) || state.equals(type + "." + BATCH)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The function type and value name of {@code state}, or null if it belongs to no type.
   *
   * @param types function types, longest first ({@link #functionTypes})
   */
  static FunctionValue value(String state, List<String> types) {
    for (String type : types) {
      if (state.startsWith(type + ".") && state.length() > type.length() + 1) {
        String function = function(type);
        return function == null
            ? null
            : new FunctionValue(function, state.substring(type.length() + 1));
      }
    }
    return null;
  }

  /** {@code namespace.type} to {@code namespace/type}; null if it has no dot. */
  static String function(String type) {
    int dot = type.lastIndexOf('.');
    return dot <= 0 || dot == type.length() - 1
        ? null
        : type.substring(0, dot) + "/" + type.substring(dot + 1);
  }
}
