package io.keyflow.cli.cluster;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.keyflow.cli.flink.FlinkRest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterJobJarTest {
  @TempDir Path dir;
  private HttpServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void aJarOfAnotherBuildIsRefusedByAClusterThatLoadsTheJobFromItsLib() throws Exception {
    Path started = Files.writeString(dir.resolve("started.jar"), "build 1");
    Path rebuilt = Files.writeString(dir.resolve("rebuilt.jar"), "build 2");
    FlinkRest rest = clusterWithConfig(ClusterJobJar.DIGEST_KEY, ClusterJobJar.digest(started));

    assertThatCode(() -> ClusterJobJar.checkSubmission(rest, started)).doesNotThrowAnyException();
    assertThatThrownBy(() -> ClusterJobJar.checkSubmission(rest, rebuilt))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(rebuilt + " is another build")
        .hasMessageContaining("keyflow cluster stop, then keyflow cluster start");
  }

  @Test
  void aClusterWithoutTheJobJarInItsLibTakesAnyJar() throws Exception {
    Path jar = Files.writeString(dir.resolve("job.jar"), "build 1");
    FlinkRest rest = clusterWithConfig("classloader.resolve-order", "child-first");

    assertThatCode(() -> ClusterJobJar.checkSubmission(rest, jar)).doesNotThrowAnyException();
  }

  /** A REST API answering {@code /jobmanager/config} as Flink's does, with one entry. */
  private FlinkRest clusterWithConfig(String key, String value) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] body =
        ("[{\"key\":\"rest.port\",\"value\":\"8081\"},{\"key\":\""
                + key
                + "\",\"value\":\""
                + value
                + "\"}]")
            .getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/jobmanager/config",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return new FlinkRest(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
  }
}
