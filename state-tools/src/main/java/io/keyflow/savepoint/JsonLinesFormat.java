package io.keyflow.savepoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.io.GenericInputFormat;
import org.apache.flink.api.common.io.NonParallelInput;
import org.apache.flink.core.io.GenericInputSplit;

/** The non-blank lines of a local file, read by one task, streaming. */
final class JsonLinesFormat extends GenericInputFormat<String> implements NonParallelInput {
  private static final long serialVersionUID = 1L;

  private final String file;
  private transient BufferedReader reader;
  private transient String next;

  JsonLinesFormat(Path file) {
    this.file = file.toAbsolutePath().toString();
  }

  @Override
  public void open(GenericInputSplit split) throws IOException {
    super.open(split);
    reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    advance();
  }

  private void advance() throws IOException {
    do {
      next = reader.readLine();
    } while (next != null && next.isBlank());
  }

  @Override
  public boolean reachedEnd() {
    return next == null;
  }

  @Override
  public String nextRecord(String reuse) throws IOException {
    String out = next;
    advance();
    return out;
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.close();
    }
  }
}
