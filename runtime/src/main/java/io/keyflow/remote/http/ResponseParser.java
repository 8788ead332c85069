package io.keyflow.remote.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads one HTTP/1.1 response from bytes as they arrive: the status line, the headers, and a body
 * framed by {@code Content-Length}, by chunked transfer coding, or by the end of the connection.
 * Informational (1xx) responses are skipped.
 */
final class ResponseParser {
  private static final int MAX_LINE = 64 * 1024;

  private enum Stage {
    STATUS,
    HEADERS,
    FIXED_BODY,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    TRAILERS,
    BODY_TO_EOF,
    DONE
  }

  private final long maxBodyBytes;
  private final StringBuilder line = new StringBuilder(128);
  private boolean lineCr;
  private Stage stage = Stage.STATUS;
  private boolean anyBytes;
  private int status;
  private boolean http10;
  private String contentType = "";
  private long contentLength = -1;
  private boolean chunked;
  private boolean closeAfter;
  private byte[] body = new byte[0];
  private int bodySize;
  private long chunkLeft;

  /**
   * @param maxBodyBytes a body larger than this fails the response with {@link
   *     ResponseTooLargeException} as soon as its size is known
   */
  ResponseParser(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Whether any byte of the response has arrived. */
  boolean started() {
    return anyBytes;
  }

  /** Whether the body runs to the end of the connection (no length, not chunked). */
  boolean readsToEndOfStream() {
    return stage == Stage.BODY_TO_EOF;
  }

  /**
   * Consumes bytes from {@code in}.
   *
   * @return true once the response is complete; bytes after it stay in {@code in}
   */
  boolean feed(ByteBuffer in) throws IOException {
    if (in.hasRemaining()) {
      anyBytes = true;
    }
    while (in.hasRemaining() && stage != Stage.DONE) {
      switch (stage) {
        case STATUS -> {
          String text = readLine(in);
          if (text != null) {
            statusLine(text);
          }
        }
        case HEADERS -> {
          String text = readLine(in);
          if (text != null) {
            if (text.isEmpty()) {
              headersEnded();
            } else {
              header(text);
            }
          }
        }
        case FIXED_BODY -> {
          copyBody(in, (int) Math.min(in.remaining(), contentLength - bodySize));
          if (bodySize == contentLength) {
            stage = Stage.DONE;
          }
        }
        case CHUNK_SIZE -> {
          String text = readLine(in);
          if (text != null) {
            chunkSize(text);
          }
        }
        case CHUNK_DATA -> {
          int n = (int) Math.min(in.remaining(), chunkLeft);
          copyBody(in, n);
          chunkLeft -= n;
          if (chunkLeft == 0) {
            stage = Stage.CHUNK_END;
          }
        }
        case CHUNK_END -> {
          String text = readLine(in);
          if (text != null) {
            if (!text.isEmpty()) {
              throw new IOException("malformed chunked body: no line end after a chunk");
            }
            stage = Stage.CHUNK_SIZE;
          }
        }
        case TRAILERS -> {
          String text = readLine(in);
          if (text != null && text.isEmpty()) {
            stage = Stage.DONE;
          }
        }
        case BODY_TO_EOF -> copyBody(in, in.remaining());
        case DONE -> {}
      }
    }
    return stage == Stage.DONE;
  }

  /** The connection ended: completes a body that runs to the end of the stream. */
  boolean endOfStream() {
    if (stage == Stage.BODY_TO_EOF) {
      stage = Stage.DONE;
      return true;
    }
    return stage == Stage.DONE;
  }

  /** Whether the connection can carry another request after this response. */
  boolean keepAlive() {
    return !closeAfter && !http10 && stage == Stage.DONE;
  }

  RawResponse response() {
    return new RawResponse(
        status, contentType, bodySize == body.length ? body : Arrays.copyOf(body, bodySize));
  }

  private void statusLine(String text) throws IOException {
    // HTTP/1.1 200 OK
    if (!text.startsWith("HTTP/1.") || text.length() < 12 || text.charAt(8) != ' ') {
      throw new IOException("not an HTTP/1.x status line: '" + excerpt(text) + "'");
    }
    http10 = text.charAt(7) == '0';
    try {
      status = Integer.parseInt(text.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status code in '" + excerpt(text) + "'");
    }
    stage = Stage.HEADERS;
  }

  private void header(String text) throws IOException {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IOException("malformed response header: '" + excerpt(text) + "'");
    }
    String name = text.substring(0, colon).trim();
    String value = text.substring(colon + 1).trim();
    if (name.equalsIgnoreCase("Content-Length")) {
      try {
        contentLength = Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw new IOException("malformed Content-Length '" + excerpt(value) + "'");
      }
      if (contentLength < 0) {
        throw new IOException("negative Content-Length " + contentLength);
      }
    } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
      chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
    } else if (name.equalsIgnoreCase("Content-Type")) {
      contentType = value;
    } else if (name.equalsIgnoreCase("Connection")) {
      String token = value.toLowerCase(Locale.ROOT);
      if (token.contains("close")) {
        closeAfter = true;
      } else if (token.contains("keep-alive")) {
        http10 = false;
      }
    }
  }

  private void headersEnded() throws IOException {
    if (status >= 100 && status < 200) {
      // An interim response; the real one follows.
      resetForNextResponse();
      return;
    }
    if (status == 204 || status == 304) {
      stage = Stage.DONE;
    } else if (chunked) {
      stage = Stage.CHUNK_SIZE;
    } else if (contentLength >= 0) {
      ensureBodyLimit(contentLength);
      body = new byte[(int) contentLength];
      stage = contentLength == 0 ? Stage.DONE : Stage.FIXED_BODY;
    } else {
      closeAfter = true;
      stage = Stage.BODY_TO_EOF;
    }
  }

  private void chunkSize(String text) throws IOException {
    int end = text.indexOf(';');
    String hex = (end < 0 ? text : text.substring(0, end)).trim();
    long size;
    try {
      size = Long.parseLong(hex, 16);
    } catch (NumberFormatException e) {
      throw new IOException("malformed chunk size '" + excerpt(text) + "'");
    }
    if (size < 0) {
      throw new IOException("malformed chunk size '" + excerpt(text) + "'");
    }
    if (size == 0) {
      stage = Stage.TRAILERS;
      return;
    }
    ensureBodyLimit(bodySize + size);
    chunkLeft = size;
    stage = Stage.CHUNK_DATA;
  }

  private void ensureBodyLimit(long size) throws ResponseTooLargeException {
    if (size > maxBodyBytes || size > Integer.MAX_VALUE - 16) {
      throw new ResponseTooLargeException(size, maxBodyBytes);
    }
  }

  private void copyBody(ByteBuffer in, int n) throws ResponseTooLargeException {
    if (bodySize + n > body.length) {
      ensureBodyLimit((long) bodySize + n);
      body = Arrays.copyOf(body, Math.max(bodySize + n, Math.max(256, body.length * 2)));
    }
    in.get(body, bodySize, n);
    bodySize += n;
  }

  /** The next line without its CRLF, or null if the line has not fully arrived yet. */
  private String readLine(ByteBuffer in) throws IOException {
    while (in.hasRemaining()) {
      byte b = in.get();
      if (b == '\n') {
        String text = line.toString();
        line.setLength(0);
        lineCr = false;
        return text;
      }
      if (lineCr) {
        line.append('\r');
        lineCr = false;
      }
      if (b == '\r') {
        lineCr = true;
      } else {
        line.append((char) (b & 0xff));
      }
      if (line.length() > MAX_LINE) {
        throw new IOException("a response line is longer than " + MAX_LINE + " bytes");
      }
    }
    return null;
  }

  private void resetForNextResponse() {
    stage = Stage.STATUS;
    status = 0;
    contentType = "";
    contentLength = -1;
    chunked = false;
    closeAfter = false;
  }

  private static String excerpt(String text) {
    String printable =
        new String(text.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    return printable.length() > 100 ? printable.substring(0, 100) + "…" : printable;
  }
}
