package io.keyflow.statefun.reader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.api.input.KeyedStateInputFormat;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Reads a StateFun 3.x savepoint into Keyflow bootstrap lines. Runs in a JVM of its own, with Flink
 * 1.16 and StateFun 3.3 on its classpath; {@code keyflow migrate statefun} starts it.
 *
 * <p>Usage: {@code --savepoint PATH --lines FILE --report FILE [--tmp-dir DIR]}. Writes one JSON
 * line per address (function type + id) to the lines file, the migration report (counts and
 * everything that is not carried) to the report file as JSON, and progress to stderr. Exit code 0
 * on success, 1 when the savepoint cannot be read, 2 on wrong arguments.
 */
public final class StatefunReaderMain {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;

  private StatefunReaderMain() {}

  public static void main(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    PrintStream err = System.err;
    if (args.length % 2 != 0
        || !options.containsKey("--savepoint")
        || !options.containsKey("--lines")
        || !options.containsKey("--report")) {
      err.println("usage: --savepoint PATH --lines FILE --report FILE [--tmp-dir DIR]");
      System.exit(2);
    }
    try {
      read(
          options.get("--savepoint"),
          Path.of(options.get("--lines")),
          Path.of(options.get("--report")),
          options.get("--tmp-dir"),
          err);
    } catch (ReaderException e) {
      err.println(e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      err.println("cannot read " + options.get("--savepoint") + ": " + e);
      e.printStackTrace(err);
      System.exit(1);
    }
    System.exit(0);
  }

  static void read(
      String savepoint, Path linesFile, Path reportFile, String tmpDir, PrintStream err)
      throws Exception {
    long started = System.nanoTime();
    StatefunLayout layout = StatefunLayout.read(savepoint);
    err.printf(
        "%s: StateFun functions operator with %d function types, %d remote values, max"
            + " parallelism %d; reading%n",
        savepoint, layout.functionTypes().size(), layout.values().size(), layout.maxParallelism());
    Configuration conf = new Configuration();
    if (tmpDir != null) {
      conf.setString("io.tmp.dirs", tmpDir);
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    KeyedStateInputFormat<String, VoidNamespace, String> format =
        new KeyedStateInputFormat<>(
            layout.operatorState(),
            new EmbeddedRocksDBStateBackend(),
            conf,
            new AddressReader(ReadPlan.of(layout)));
    MigrationReport report = new MigrationReport(savepoint, layout);
    long lastShown = System.nanoTime();
    try (BufferedWriter out = Files.newBufferedWriter(linesFile, StandardCharsets.UTF_8);
        CloseableIterator<String> keys =
            env.createInput(format, Types.STRING).executeAndCollect("read StateFun savepoint")) {
      while (keys.hasNext()) {
        String key = keys.next();
        if (key.isEmpty()) {
          continue;
        }
        for (String line : key.split("\n")) {
          if (line.startsWith("#")) {
            report.notCarried(MAPPER.readTree(line.substring(1)));
            continue;
          }
          report.carried(MAPPER.readTree(line));
          out.write(line);
          out.write('\n');
        }
        long now = System.nanoTime();
        if (now - lastShown >= PROGRESS_EVERY_NANOS) {
          lastShown = now;
          err.printf(
              "... %,d addresses so far (%.1f s)%n", report.addresses(), (now - started) / 1e9);
        }
      }
    }
    Files.writeString(reportFile, MAPPER.writeValueAsString(report.toJson()));
    err.printf(
        "%,d addresses read from %s in %.1f s%n",
        report.addresses(), savepoint, (System.nanoTime() - started) / 1e9);
  }

  /** Counts what is carried and lists what is not. */
  static final class MigrationReport {
    private final ObjectNode json = MAPPER.createObjectNode();
    private final ArrayNode notCarried;
    private long addresses;
    private long values;
    private long expiring;
    private long inflight;
    private long backlog;
    private long delayed;

    MigrationReport(String savepoint, StatefunLayout layout) {
      json.put("savepoint", savepoint);
      json.put("maxParallelism", layout.maxParallelism());
      ArrayNode states = json.putArray("statesNotCarried");
      for (StatefunLayout.OtherState other : layout.others()) {
        ObjectNode node = states.addObject();
        node.put("state", other.name());
        node.put("kind", other.kind());
      }
      json.put("otherOperatorsWithState", layout.otherOperators());
      notCarried = json.putArray("notCarried");
      if (layout.feedbackKeyGroupsWithMessages() > 0) {
        ObjectNode loop = notCarried.addObject();
        loop.put("function", "");
        loop.put("id", "");
        loop.put("what", "feedback");
        loop.put(
            "problem",
            "messages functions sent each other were in StateFun's feedback loop at the savepoint ("
                + layout.feedbackKeyGroupsWithMessages()
                + " key groups hold some); they are not carried. Stop StateFun when no input"
                + " arrives and its functions have settled to carry everything");
      }
    }

    void carried(JsonNode line) {
      addresses++;
      JsonNode v = line.path("values");
      values += v.size();
      v.forEach(value -> expiring += value.has("ttlTouchedAt") ? 1 : 0);
      inflight += line.path("inflight").size();
      backlog += line.path("backlog").size();
      delayed += line.path("delayed").size();
    }

    void notCarried(JsonNode problem) {
      notCarried.add(problem);
    }

    long addresses() {
      return addresses;
    }

    ObjectNode toJson() {
      json.put("addresses", addresses);
      json.put("values", values);
      json.put("expiringValues", expiring);
      json.put("inflightMessages", inflight);
      json.put("backlogMessages", backlog);
      json.put("delayedMessages", delayed);
      return json;
    }
  }
}
