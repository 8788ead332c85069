package io.keyflow.cli.address;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the gateway's admin routes are and how to reach them: shared by the address commands. */
final class AdminOptions {
  static final String TOKEN_VARIABLE = "KEYFLOW_ADMIN_TOKEN";

  @Option(
      names = "--gateway",
      paramLabel = "URL",
      defaultValue = "${env:KEYFLOW_GATEWAY:-http://127.0.0.1:8080}",
      description = "The gateway's base URL (env KEYFLOW_GATEWAY). Default: ${DEFAULT-VALUE}.")
  String gateway;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "A file whose first line is an admin token of the gateway. Default: the variable "
              + TOKEN_VARIABLE
              + ".")
  Path tokenFile;

  @Option(
      names = "--as",
      paramLabel = "NAME",
      description =
          "Who you are, for the job's audit log line. Default: your user name and host name.")
  String requestedBy;

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      description =
          "How long the gateway waits for the job's answer, such as 30s (at most its"
              + " timeouts.maxWait). Default: the gateway's timeouts.wait.")
  String wait;

  @Option(names = "--json", description = "Print the gateway's JSON answer as it is.")
  boolean json;

  /** The admin token, from --token-file or the environment. */
  String token() {
    if (tokenFile != null) {
      try {
        for (String line : Files.readAllLines(tokenFile, StandardCharsets.UTF_8)) {
          if (!line.isBlank() && !line.strip().startsWith("#")) {
            return line.strip();
          }
        }
      } catch (IOException e) {
        throw new AdminException("--token-file " + tokenFile + " cannot be read (" + e + ")");
      }
      throw new AdminException("--token-file " + tokenFile + " holds no token");
    }
    String token = System.getenv(TOKEN_VARIABLE);
    if (token == null || token.isBlank()) {
      throw new AdminException(
          "no admin token: set "
              + TOKEN_VARIABLE
              + " or give --token-file FILE (a token of the gateway's admin tokens in"
              + " module.yaml)");
    }
    return token.strip();
  }

  String requestedBy() {
    if (requestedBy != null && !requestedBy.isBlank()) {
      return requestedBy;
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown host";
    }
    return System.getProperty("user.name", "someone") + "@" + host + " (keyflow CLI)";
  }
}
