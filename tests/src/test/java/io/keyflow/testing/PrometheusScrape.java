package io.keyflow.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of a Prometheus text endpoint over HTTP: every sample by metric name, with its labels
 * as written. Enough of the text format for Flink's reporter (no escaped quotes in values).
 */
public final class PrometheusScrape {
  /** One sample line. */
  public record Sample(String name, String labels, double value) {}

  private final Map<String, List<Sample>> byName = new HashMap<>();

  private PrometheusScrape(String text) {
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name =
          brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
      String labels =
          brace >= 0 && brace < space ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
      byName
          .computeIfAbsent(name, n -> new ArrayList<>())
          .add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1).trim())));
    }
  }

  /** GETs {@code url} and parses it. */
  public static PrometheusScrape of(URI url) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(url + " answered " + response.statusCode());
    }
    return new PrometheusScrape(response.body());
  }

  public boolean has(String name) {
    return byName.containsKey(name);
  }

  /** The samples of {@code name} (none if absent). */
  public List<Sample> samples(String name) {
    return byName.getOrDefault(name, List.of());
  }

  /** The sum of every sample of {@code name} whose labels contain {@code labelFilter}. */
  public double sum(String name, String labelFilter) {
    return samples(name).stream()
        .filter(s -> s.labels().contains(labelFilter))
        .mapToDouble(Sample::value)
        .sum();
  }

  public double sum(String name) {
    return sum(name, "");
  }

  public java.util.Set<String> names() {
    return byName.keySet();
  }
}
