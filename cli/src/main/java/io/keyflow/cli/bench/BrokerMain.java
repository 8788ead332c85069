package io.keyflow.cli.bench;

import io.keyflow.cli.kafka.EmbeddedKafka;
import java.nio.file.Path;

/** A Kafka broker in a process of its own, so that the benchmark measures its CPU apart. */
public final class BrokerMain {
  private BrokerMain() {}

  /** Arguments: PORT DATA_DIR. Prints a ready line and runs until the process is stopped. */
  public static void main(String[] args) throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[1]), Integer.parseInt(args[0]));
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
    System.out.println("bench broker ready on " + kafka.bootstrapServers());
    Thread.currentThread().join();
  }
}
