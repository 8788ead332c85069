package io.keyflow.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The code in {@code docs/testing.md} compiles: each block marked {@code <!-- snippet: PATH#TAG
 * -->} must equal the lines between {@code // tag::TAG[]} and {@code // end::TAG[]} of that test
 * source, which the build compiles and runs.
 */
class TestingDocTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern SNIPPET =
      Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->\\s*\\n```java\\n(.*?)```", Pattern.DOTALL);

  /** A marked block of the doc and the source region it must equal. */
  record Snippet(String path, String tag, String code) {}

  @Test
  void everySnippetOfTheTestingDocEqualsItsCompiledSource() throws IOException {
    List<Snippet> snippets = snippets(Files.readString(ROOT.resolve("docs/testing.md")));

    assertThat(snippets).as("snippets in docs/testing.md").hasSizeGreaterThanOrEqualTo(3);
    for (Snippet snippet : snippets) {
      assertThat(snippet.code())
          .as(
              "docs/testing.md, snippet %s#%s: copy the region between // tag::%s[] and"
                  + " // end::%s[] of that file into the doc",
              snippet.path(), snippet.tag(), snippet.tag(), snippet.tag())
          .isEqualTo(region(snippet.path(), snippet.tag()));
    }
  }

  @Test
  void aSnippetIsReadWithItsPathAndTag() {
    String doc = "text\n<!-- snippet: a/B.java#unit -->\n```java\nint x = 1;\n```\nmore\n";

    assertThat(snippets(doc)).containsExactly(new Snippet("a/B.java", "unit", "int x = 1;\n"));
  }

  static List<Snippet> snippets(String doc) {
    List<Snippet> out = new ArrayList<>();
    Matcher m = SNIPPET.matcher(doc);
    while (m.find()) {
      out.add(new Snippet(m.group(1), m.group(2), m.group(3)));
    }
    return out;
  }

  /** The lines between the tag markers, without the indentation they share. */
  private static String region(String path, String tag) throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve(path));
    int start = indexOf(lines, "// tag::" + tag + "[]", path);
    int end = indexOf(lines, "// end::" + tag + "[]", path);
    List<String> body = lines.subList(start + 1, end);
    int indent =
        body.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder out = new StringBuilder();
    for (String line : body) {
      out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return out.toString();
  }

  private static int indexOf(List<String> lines, String marker, String path) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(marker)) {
        return i;
      }
    }
    throw new AssertionError(path + " has no line " + marker);
  }
}
