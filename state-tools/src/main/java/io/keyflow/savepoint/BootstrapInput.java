package io.keyflow.savepoint;

import io.keyflow.module.Module;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a bootstrap input file line by line before anything is written, and collects the values it
 * declares: every line must parse, name a function type the module serves, and give each value the
 * same typename and expiration on every line (a value's serializer is one per state).
 */
public final class BootstrapInput {
  private final Path file;
  private final boolean valuesOnly;
  private final Map<String, DeclaredValue> values;
  private final long lines;

  private BootstrapInput(
      Path file, boolean valuesOnly, Map<String, DeclaredValue> values, long lines) {
    this.file = file;
    this.valuesOnly = valuesOnly;
    this.values = values;
    this.lines = lines;
  }

  /**
   * Reads {@code file} once, streaming.
   *
   * @param valuesOnly drop pending work (in-flight, backlog, delayed) instead of refusing it
   * @throws IllegalArgumentException naming the file, line, field and fix for the first bad line
   */
  public static BootstrapInput check(Path file, Module module, boolean valuesOnly)
      throws IOException {
    Map<String, DeclaredValue> values = new LinkedHashMap<>();
    long number = 0;
    long now = System.currentTimeMillis();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        BootstrapLine parsed;
        try {
          parsed = BootstrapLine.parse(line, valuesOnly, now);
        } catch (IllegalArgumentException e) {
          throw bad(file, number, e.getMessage());
        }
        if (module.endpointFor(parsed.function()).isEmpty()) {
          throw bad(
              file,
              number,
              "function: "
                  + parsed.function()
                  + " is served by no endpoint of "
                  + module.source()
                  + "; bind it in an io.statefun.endpoints.v2/http document or fix the name");
        }
        for (BootstrapLine.Value value : parsed.values()) {
          DeclaredValue declared = value.declared();
          DeclaredValue seen = values.putIfAbsent(declared.stateName(), declared);
          if (seen != null && !seen.equals(declared)) {
            throw bad(
                file,
                number,
                "values."
                    + declared.name()
                    + ": typename "
                    + declared.typename()
                    + " and expiration "
                    + declared.expiration()
                    + " differ from an earlier line's "
                    + seen.typename()
                    + " and "
                    + seen.expiration()
                    + "; a value has one type and expiration for all ids");
          }
        }
      }
    }
    return new BootstrapInput(file, valuesOnly, values, number);
  }

  private static IllegalArgumentException bad(Path file, long line, String problem) {
    return new IllegalArgumentException(file + ", line " + line + ": " + problem);
  }

  public Path file() {
    return file;
  }

  boolean valuesOnly() {
    return valuesOnly;
  }

  /** The values the file declares, one per function type and value name. */
  public List<DeclaredValue> values() {
    return List.copyOf(values.values());
  }

  /** The number of lines read, blank ones included. */
  public long lines() {
    return lines;
  }
}
