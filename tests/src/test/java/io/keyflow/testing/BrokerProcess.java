package io.keyflow.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A Kafka broker in a process of its own (the CLI's {@code BrokerMain}), that a test kills with
 * SIGKILL and starts again on the same data directory and port, as a broker crashes and an operator
 * brings it back. Killed, not stopped: requests in flight get no answer, which is what the clients
 * of a crashed broker see. The shared {@link KafkaBroker} stays untouched.
 */
public final class BrokerProcess implements AutoCloseable {
  private static final Duration READY = Duration.ofMinutes(1);

  private final Path dir;
  private final Path dataDir;
  private final int port;
  private Process process;
  private int starts;

  private BrokerProcess(Path dir, int port) {
    this.dir = dir;
    this.dataDir = dir.resolve("data");
    this.port = port;
  }

  /** Starts a broker on a free port with its data and log in {@code dir}. */
  public static BrokerProcess start(Path dir) throws Exception {
    BrokerProcess broker = new BrokerProcess(dir, freePort());
    broker.startAgain();
    return broker;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Creates the topics with {@code partitions} partitions each. */
  public void createTopics(Set<String> topics, int partitions) throws Exception {
    try (Admin admin =
        Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrapServers()))) {
      admin
          .createTopics(topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList())
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** Kills the broker with SIGKILL and waits until the process is gone. */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the broker process " + process.pid() + " outlived SIGKILL");
      }
      process = null;
    }
  }

  /** Starts the broker on the same data and port, and waits until it says it is ready. */
  public synchronized void startAgain() throws Exception {
    if (process != null) {
      return;
    }
    Files.createDirectories(dataDir);
    starts++;
    Path log = dir.resolve("broker-" + starts + ".log");
    Path out = dir.resolve("broker-" + starts + ".out");
    Path root = CliProcess.ROOT.resolve("cli/target");
    String classpath =
        root.resolve("classes") + ":" + Files.readString(root.resolve("classpath.txt")).strip();
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m",
            "-Dlog4j2.configurationFile=keyflow-log4j2.properties",
            "-Dkeyflow.log.file=" + log,
            "-cp",
            classpath,
            "io.keyflow.cli.bench.BrokerMain",
            Integer.toString(port),
            dataDir.toString());
    Process started =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    long deadline = System.nanoTime() + READY.toNanos();
    while (!Files.readString(out).contains("broker ready on")) {
      if (!started.isAlive()) {
        throw new AssertionError("the broker exited with " + started.exitValue() + "; see " + log);
      }
      if (System.nanoTime() > deadline) {
        started.destroyForcibly();
        throw new AssertionError("the broker was not ready within " + READY + "; see " + log);
      }
      Thread.sleep(100);
    }
    process = started;
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
