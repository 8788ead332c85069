package io.keyflow.module;

import java.util.List;

/**
 * {@code module.yaml} cannot be read or describes an invalid module. Always terminal: the job
 * cannot start until the file is fixed.
 *
 * <p>Messages name where the problem is, what is wrong and what is accepted, e.g. {@code
 * module.yaml, document 2 (io.statefun.endpoints.v2/http), spec.transport.call: bad duration '2
 * parsecs'; expected a duration such as 30s, 500ms, 2 min}.
 */
public final class ModuleException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private ModuleException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A problem at one place in one document.
   *
   * @param file the file's name or URL
   * @param document 1-based, counting every document of the file including empty ones
   * @param kind the document's kind, or null when it is not known yet
   * @param path the field, such as {@code spec.topics[0].valueType}; null or empty for the document
   *     itself
   * @param problem what is wrong, including the bad value
   * @param expected what is accepted, or null
   */
  public static ModuleException at(
      String file, int document, String kind, String path, String problem, String expected) {
    return at(file, document, kind, path, problem, expected, null);
  }

  static ModuleException at(
      String file,
      int document,
      String kind,
      String path,
      String problem,
      String expected,
      Throwable cause) {
    StringBuilder message = new StringBuilder(where(file, document));
    if (kind != null) {
      message.append(" (").append(kind).append(')');
    }
    if (path != null && !path.isEmpty()) {
      message.append(", ").append(path);
    }
    message.append(": ").append(problem);
    if (expected != null) {
      message.append("; expected ").append(expected);
    }
    return new ModuleException(message.toString(), cause);
  }

  /**
   * Problems at several places as one error: {@code heading}, then each problem on a line of its
   * own, worded as it would be alone. One problem alone is returned as it is.
   *
   * @param heading what the problems have in common, such as {@code 2 declarations name topics that
   *     do not exist}
   * @param problems at least one
   */
  public static ModuleException all(String heading, List<ModuleException> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("no problems to report");
    }
    if (problems.size() == 1) {
      return problems.get(0);
    }
    StringBuilder message = new StringBuilder(heading).append(':');
    problems.forEach(problem -> message.append("\n- ").append(problem.getMessage()));
    return new ModuleException(message.toString(), null);
  }

  /** The module location names nothing that exists; {@code tried} says where we looked. */
  public static ModuleException notFound(String location, String tried) {
    return new ModuleException("module file " + location + " not found: " + tried, null);
  }

  /** The module location exists but cannot be read. */
  public static ModuleException unreadable(String location, String problem, Throwable cause) {
    return new ModuleException("module file " + location + " cannot be read: " + problem, cause);
  }

  /** The location is not of a form we load from. */
  static ModuleException badLocation(String location, String problem) {
    return new ModuleException(
        "module location '" + location + "' " + problem + "; expected " + LOCATION, null);
  }

  /** The text is not valid YAML; {@code line} and {@code column} are 1-based. */
  static ModuleException syntax(
      String file, int document, int line, int column, String problem, Throwable cause) {
    return new ModuleException(
        where(file, document)
            + ", line "
            + line
            + ", column "
            + column
            + ": invalid YAML: "
            + problem,
        cause);
  }

  /** Two binders on the classpath claim the same kind. */
  static ModuleException ambiguousKind(String kind, String firstBinder, String secondBinder) {
    return new ModuleException(
        "kind "
            + kind
            + " is claimed by two binders, "
            + firstBinder
            + " and "
            + secondBinder
            + "; expected one META-INF/services entry per kind on the classpath",
        null);
  }

  /** A binder could not be loaded through {@link java.util.ServiceLoader}. */
  static ModuleException binderUnavailable(Throwable cause) {
    return new ModuleException(
        "a module.yaml kind binder listed in META-INF/services/"
            + ComponentBinder.class.getName()
            + " cannot be loaded: "
            + cause.getMessage(),
        cause);
  }

  private static final String LOCATION =
      "classpath:NAME, a file: URL or a file path, such as classpath:module.yaml";

  private static String where(String file, int document) {
    return file + ", document " + document;
  }
}
