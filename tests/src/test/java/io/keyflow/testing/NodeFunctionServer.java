package io.keyflow.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a StateFun JavaScript SDK function server from {@code src/test/js} with Node.js. The script
 * prints {@code LISTENING <port>} when it is ready. The build installs the SDK there ({@code npm
 * ci}) before the integration tests.
 */
public final class NodeFunctionServer implements AutoCloseable {
  private static final Path SCRIPTS = Path.of("src", "test", "js");

  private final Process process;
  private final int port;

  private NodeFunctionServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static NodeFunctionServer start(String script, String... args) throws Exception {
    if (!Files.isDirectory(SCRIPTS.resolve("node_modules"))) {
      throw new IllegalStateException(
          "the JavaScript SDK is not installed: run 'npm ci' in "
              + SCRIPTS.toAbsolutePath()
              + " (the Maven build does this before the integration tests)");
    }
    List<String> command = new java.util.ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(SCRIPTS.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Integer> port =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.startsWith("LISTENING ")) {
                    return Integer.parseInt(line.substring("LISTENING ".length()).trim());
                  }
                }
                throw new IllegalStateException(script + " exited before listening");
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    try {
      return new NodeFunctionServer(process, port.get(30, TimeUnit.SECONDS));
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
