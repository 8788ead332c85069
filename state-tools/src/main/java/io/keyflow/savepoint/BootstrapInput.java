package io.keyflow.savepoint;

import io.keyflow.module.Module;
import io.keyflow.module.TypeName;
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
 * declares: every line must parse, name a function type the module serves (so must the targets of
 * its delayed messages), and give each value the same typename and expiration on every line (a
 * value's serializer is one per state).
 */
public final class BootstrapInput {
  private final Path file;
  private final boolean valuesOnly;
  private final Map<String, DeclaredValue> values;
  private final long lines;
  private final PendingCounts pending;

  /**
   * The pending work the input carries.
   *
   * @param inflight messages of in-flight requests
   * @param backlog messages waiting behind them
   * @param delayed delayed messages
   */
  public record PendingCounts(long inflight, long backlog, long delayed) {}

  private BootstrapInput(
      Path file,
      boolean valuesOnly,
      Map<String, DeclaredValue> values,
      long lines,
      PendingCounts pending) {
    this.file = file;
    this.valuesOnly = valuesOnly;
    this.values = values;
    this.lines = lines;
    this.pending = pending;
  }

  /**
   * Reads {@code file} once, streaming.
   *
   * @param valuesOnly drop pending work (in-flight, backlog and delayed messages)
   * @throws IllegalArgumentException naming the file, line, field and fix for the first bad line
   */
  public static BootstrapInput check(Path file, Module module, boolean valuesOnly)
      throws IOException {
    Map<String, DeclaredValue> values = new LinkedHashMap<>();
    long number = 0;
    long inflight = 0;
    long backlog = 0;
    long delayed = 0;
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
        for (int i = 0; i < parsed.delayed().size(); i++) {
          io.keyflow.protocol.reqreply.Address target = parsed.delayed().get(i).target();
          TypeName type = new TypeName(target.getNamespace(), target.getType());
          if (module.endpointFor(type).isEmpty()) {
            throw bad(
                file,
                number,
                "delayed["
                    + i
                    + "].target: "
                    + type
                    + " is served by no endpoint of "
                    + module.source()
                    + "; bind it in an io.statefun.endpoints.v2/http document or drop the message");
          }
        }
        inflight += parsed.inflight().size();
        backlog += parsed.backlog().size();
        delayed += parsed.delayed().size();
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
    return new BootstrapInput(
        file, valuesOnly, values, number, new PendingCounts(inflight, backlog, delayed));
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

  /** The pending work of all lines (none with {@code valuesOnly}). */
  public PendingCounts pending() {
    return pending;
  }

  /** The number of lines read, blank ones included. */
  public long lines() {
    return lines;
  }
}
