package io.keyflow.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyflow.cli.flink.FlinkRest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The job jar a local cluster's processes have on their classpath ({@link ClusterLib}), named in
 * the cluster's configuration by its digest, so that {@code keyflow submit} can tell when the jar
 * it uploads is another build: with {@code classloader.resolve-order: parent-first} the copy on the
 * classpath would win, and the job would silently run the older classes.
 */
public final class ClusterJobJar {
  /** The configuration key (Flink keeps keys it does not know and shows them in its REST API). */
  static final String DIGEST_KEY = "keyflow.cluster.job-jar-sha256";

  private ClusterJobJar() {}

  /**
   * Refuses {@code jobJar} for the cluster behind {@code rest} when that cluster loads the job's
   * classes from a different jar; does nothing for any other cluster.
   */
  public static void checkSubmission(FlinkRest rest, Path jobJar)
      throws IOException, InterruptedException {
    Optional<String> onCluster = digestOnCluster(rest);
    if (onCluster.isPresent() && !onCluster.get().equals(digest(jobJar))) {
      throw new IllegalStateException(
          "the cluster at "
              + rest.base()
              + " loads the job's classes from the copy of the job jar in its lib/ directory,"
              + " taken when it started, and "
              + jobJar
              + " is another build: its classes would not be used. Restart the cluster"
              + " (keyflow cluster stop, then keyflow cluster start) to run this build");
    }
  }

  private static Optional<String> digestOnCluster(FlinkRest rest)
      throws IOException, InterruptedException {
    for (JsonNode entry : rest.get("/jobmanager/config")) {
      if (DIGEST_KEY.equals(entry.path("key").asText())) {
        return Optional.of(entry.path("value").asText());
      }
    }
    return Optional.empty();
  }

  /** The SHA-256 of {@code jar}, in hex. */
  static String digest(Path jar) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(jar)) {
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        sha.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
