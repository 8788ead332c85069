package io.keyflow.remote.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written HTTP/1.1 server for tests: reads each request (head and Content-Length body) and
 * lets a {@link Script} write whatever bytes it likes back, a thread per connection.
 */
final class RawHttpServer implements AutoCloseable {

  /** What the server does with one request. */
  interface Script {
    /**
     * @param connection the number of the connection, from 0
     * @param turn the number of the request on its connection, from 0
     * @return false to close the connection after this request
     */
    boolean answer(int connection, int turn, String head, byte[] body, OutputStream out)
        throws Exception;
  }

  private final ServerSocket socket = new ServerSocket(0);
  private final Script script;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger mostPipelined = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  RawHttpServer(Script script) throws IOException {
    this.script = script;
    Thread acceptor =
        new Thread(
            () -> {
              while (!socket.isClosed()) {
                try {
                  Socket s = socket.accept();
                  int number = connections.getAndIncrement();
                  open.add(s);
                  Thread serving = new Thread(() -> serve(s, number), "raw-http-" + number);
                  serving.setDaemon(true);
                  serving.start();
                } catch (IOException e) {
                  // The test closed the server.
                }
              }
            },
            "raw-http-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Writes {@code text} as ISO-8859-1 bytes and flushes. */
  static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private void serve(Socket s, int connection) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      for (int turn = 0; ; turn++) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        byte[] body = in.readNBytes(contentLength(head));
        requests.incrementAndGet();
        // Bytes already waiting are requests the client sent before this answer: pipelined.
        mostPipelined.accumulateAndGet(in.available() > 0 ? 2 : 1, Math::max);
        if (!script.answer(connection, turn, head, body, out)) {
          return;
        }
      }
    } catch (Exception e) {
      // The client went away, or the test closed the server.
    }
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/f");
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  int requests() {
    return requests.get();
  }

  int mostPipelined() {
    return mostPipelined.get();
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] sofar = head.toByteArray();
      int n = sofar.length;
      if (n >= 4
          && sofar[n - 4] == '\r'
          && sofar[n - 3] == '\n'
          && sofar[n - 2] == '\r'
          && sofar[n - 1] == '\n') {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return 0;
  }
}
