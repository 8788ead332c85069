package io.keyflow.cli.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for a trace collector in a process of its own, so that the benchmark measures the
 * job's cost of tracing apart from the collector's: takes every OTLP/HTTP export, answers 200 as a
 * collector does, and keeps the number of exports and bytes taken in a file.
 */
public final class TraceSinkMain {
  private TraceSinkMain() {}

  /** Arguments: PORT COUNTS_FILE. Prints a ready line and runs until the process is stopped. */
  public static void main(String[] args) throws Exception {
    Path counts = Path.of(args[1]);
    AtomicLong exports = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    HttpServer server =
        HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 0);
    server.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            long taken = body.transferTo(java.io.OutputStream.nullOutputStream());
            String line =
                exports.incrementAndGet() + " exports, " + bytes.addAndGet(taken) + " bytes\n";
            Files.writeString(counts, line, StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
          } finally {
            exchange.close();
          }
        });
    server.start();
    System.out.println("trace sink ready on port " + server.getAddress().getPort());
    Thread.currentThread().join();
  }
}
