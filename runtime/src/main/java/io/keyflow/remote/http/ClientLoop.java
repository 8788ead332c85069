package io.keyflow.remote.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The selector loop behind {@link Http1Client}: it assigns submitted exchanges to pooled
 * connections, writes their requests, parses the responses, completes the exchanges' futures, and
 * handles broken connections and timeouts. Everything but {@link #submit}, {@link #close} and
 * {@link #connectionsOpened} runs on the loop's one thread.
 */
final class ClientLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ClientLoop.class);
  private static final long SCAN_INTERVAL_NANOS = 10_000_000L;
  private static final long IDLE_SCAN_INTERVAL_NANOS = 1_000_000_000L;
  private static final int READ_BUFFER_BYTES = 64 * 1024;

  /** Sending a request again more often than this means the server is not just closing idly. */
  private static final int MAX_RESENDS = 3;

  private final long connectTimeoutNanos;
  private final long idleTimeoutNanos;
  private final Selector selector;
  private final ConcurrentLinkedQueue<Exchange> submitted = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sleeping = new AtomicBoolean();
  private final AtomicLong connectionsOpened = new AtomicLong();
  private volatile boolean closed;

  // Owned by the loop's thread.
  private final ConnectionPool pool;
  private final DeadlineWatch deadlines = new DeadlineWatch();
  private final List<Connection> dirty = new ArrayList<>();
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
  private long nextScanNanos;
  private long nextIdleScanNanos;

  ClientLoop(long connectTimeoutNanos, long idleTimeoutNanos, int maxPipelined) {
    this.pool = new ConnectionPool(maxPipelined);
    this.connectTimeoutNanos = connectTimeoutNanos;
    this.idleTimeoutNanos = idleTimeoutNanos;
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a selector for the HTTP client", e);
    }
  }

  /** Hands {@code exchange} to the loop, or fails it if the loop is closed. */
  void submit(Exchange exchange) {
    if (closed) {
      exchange.result.completeExceptionally(new IOException("the HTTP client is closed"));
      return;
    }
    submitted.add(exchange);
    if (closed && submitted.remove(exchange)) {
      exchange.result.completeExceptionally(new IOException("the HTTP client is closed"));
    } else if (sleeping.get() && sleeping.compareAndSet(true, false)) {
      selector.wakeup();
    }
  }

  long connectionsOpened() {
    return connectionsOpened.get();
  }

  /** Makes the loop fail what it holds and end; returns at once. */
  void close() {
    closed = true;
    selector.wakeup();
  }

  @Override
  public void run() {
    while (!closed) {
      try {
        long now = System.nanoTime();
        long waitMillis = Math.max(1, (nextScanNanos - now) / 1_000_000);
        sleeping.set(true);
        if (submitted.isEmpty()) {
          selector.select(waitMillis);
        } else {
          selector.selectNow();
        }
        sleeping.set(false);
        Exchange next;
        while ((next = submitted.poll()) != null) {
          assign(next);
        }
        flush();
        Set<SelectionKey> ready = selector.selectedKeys();
        for (SelectionKey key : ready) {
          handle(key);
        }
        ready.clear();
        flush();
        now = System.nanoTime();
        if (now - nextScanNanos >= 0) {
          scan(now);
          nextScanNanos = now + SCAN_INTERVAL_NANOS;
        }
      } catch (Throwable t) {
        LOG.error("The HTTP client's loop met an unexpected error; it carries on", t);
      }
    }
    shutdown();
  }

  private void assign(Exchange exchange) {
    long now = System.nanoTime();
    if (now - exchange.deadlineNanos >= 0) {
      exchange.result.completeExceptionally(
          new HttpTimeoutException(
              "request to " + exchange.route + " timed out before it was sent"));
      return;
    }
    Connection connection = pool.take(exchange.route);
    if (connection == null) {
      try {
        connection = open(exchange, now);
      } catch (IOException | RuntimeException e) {
        exchange.result.completeExceptionally(
            e instanceof IOException ? e : new ConnectException(describe(exchange, e)));
        return;
      }
    }
    pool.busy(connection);
    connection.begin(exchange);
    deadlines.note(
        connection.connected
            ? exchange.deadlineNanos
            : Math.min(exchange.deadlineNanos, connection.connectDeadlineNanos));
    if (connection.connected && !connection.dirty) {
      // Written once the calls at hand are assigned: the requests for one connection go in one
      // gathering write.
      connection.dirty = true;
      dirty.add(connection);
    }
  }

  private void flush() {
    for (Connection connection : dirty) {
      connection.dirty = false;
      if (connection.channel.isOpen()) {
        write(connection);
      }
    }
    dirty.clear();
  }

  private Connection open(Exchange exchange, long now) throws IOException {
    SocketChannel channel = SocketChannel.open();
    try {
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      Connection connection = new Connection(exchange.route, channel);
      connection.connectDeadlineNanos = now + connectTimeoutNanos;
      connection.connected = channel.connect(new InetSocketAddress(exchange.host, exchange.port));
      connection.key =
          channel.register(
              selector, connection.connected ? 0 : SelectionKey.OP_CONNECT, connection);
      connectionsOpened.incrementAndGet();
      return connection;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private void handle(SelectionKey key) {
    Connection connection = (Connection) key.attachment();
    if (!key.isValid()) {
      return;
    }
    if (key.isConnectable()) {
      try {
        connection.connected = connection.channel.finishConnect();
      } catch (IOException e) {
        failed(connection, e);
        return;
      }
      if (connection.connected) {
        write(connection);
      }
      return;
    }
    if (key.isWritable()) {
      write(connection);
    }
    if (key.isValid() && key.isReadable()) {
      read(connection);
    }
  }

  private void write(Connection connection) {
    if (connection.writeFailed != null) {
      return;
    }
    try {
      boolean written = connection.write();
      // Responses to requests written earlier may arrive while later ones are still being written.
      connection.key.interestOps(
          written ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    } catch (IOException e) {
      if (connection.isIdle() || connection.parser == null || connection.load() == 1) {
        failed(connection, e);
        return;
      }
      // The server closed while requests were pipelined: the responses it sent before closing
      // are still to be read; the requests after them go again once the connection ends.
      connection.writeFailed = e;
      connection.key.interestOps(SelectionKey.OP_READ);
    }
  }

  private void read(Connection connection) {
    readBuffer.clear();
    int n;
    try {
      n = connection.channel.read(readBuffer);
    } catch (IOException e) {
      failed(connection, e);
      return;
    }
    if (connection.isIdle()) {
      // An idle connection is readable only when the server closes it (or misbehaves).
      pool.dropIdle(connection);
      return;
    }
    if (n < 0) {
      endOfStream(connection);
      return;
    }
    readBuffer.flip();
    while (true) {
      boolean complete;
      try {
        complete = connection.parser.feed(readBuffer);
      } catch (IOException e) {
        Exchange broken = connection.head();
        connection.close();
        pool.notBusy(connection);
        List<Exchange> all = connection.releaseAll();
        broken.result.completeExceptionally(e);
        resendOrFail(all.subList(1, all.size()), e);
        return;
      }
      if (!complete) {
        return;
      }
      RawResponse response = connection.parser.response();
      boolean keepAlive = connection.parser.keepAlive();
      Exchange done = connection.finishHead();
      if (!keepAlive) {
        closeAfter(connection, done, response);
        return;
      }
      connection.reused = true;
      if (connection.isIdle()) {
        if (readBuffer.hasRemaining() || connection.writeFailed != null) {
          // Bytes no request asked for, or a broken write side: no further request fits.
          connection.close();
          pool.notBusy(connection);
        } else {
          toIdle(connection);
        }
        done.result.complete(response);
        return;
      }
      done.result.complete(response);
      if (!readBuffer.hasRemaining()) {
        return;
      }
    }
  }

  private void endOfStream(Connection connection) {
    if (connection.parser.endOfStream()) {
      RawResponse response = connection.parser.response();
      closeAfter(connection, connection.finishHead(), response);
      return;
    }
    boolean started = connection.parser.started();
    failed(
        connection,
        new IOException(
            "connection to "
                + connection.route
                + " closed before the response "
                + (started ? "was complete" : "began")));
  }

  /**
   * The server ends the connection after this response: the requests pipelined behind it go again
   * on another connection, and the route gets no more pipelined requests.
   */
  private void closeAfter(Connection connection, Exchange done, RawResponse response) {
    connection.close();
    pool.notBusy(connection);
    List<Exchange> behind = connection.releaseAll();
    // Closing after the first response means the server keeps no connection alive; closing a
    // later one (a limit of requests per connection) does not.
    if (!behind.isEmpty() && !connection.reused && pool.stopPipelining(connection.route)) {
      LOG.warn(
          "{} closes each connection after one response; requests to it are no longer pipelined",
          connection.route);
    }
    done.result.complete(response);
    resendOrFail(behind, new IOException("connection to " + connection.route + " was closed"));
  }

  private void toIdle(Connection connection) {
    if (closed) {
      pool.notBusy(connection);
      connection.close();
      return;
    }
    pool.idle(connection, System.nanoTime());
  }

  /**
   * The connection broke while carrying exchanges. A pooled connection that broke before any
   * response byte arrived was most likely closed by the server while idle: its first request goes
   * once more on a fresh connection, as do the requests pipelined behind it.
   */
  private void failed(Connection connection, IOException error) {
    boolean stale = connection.reused && connection.parser != null && !connection.parser.started();
    connection.close();
    pool.notBusy(connection);
    List<Exchange> all = connection.releaseAll();
    if (all.isEmpty()) {
      pool.dropIdle(connection);
      return;
    }
    if (!connection.connected) {
      // Nothing was sent: every call on it fails as the connection did.
      IOException refused = error;
      if (!(error instanceof ConnectException)) {
        refused = new ConnectException(describe(all.get(0), error));
        refused.initCause(error);
      }
      for (Exchange exchange : all) {
        exchange.result.completeExceptionally(refused);
      }
      return;
    }
    Exchange first = all.get(0);
    if (stale && first.resends < MAX_RESENDS && !closed) {
      first.resends++;
      assign(first);
    } else {
      first.result.completeExceptionally(error);
    }
    resendOrFail(all.subList(1, all.size()), error);
  }

  /**
   * Sends requests whose connection ended before their response began once more, or fails them when
   * they went round too often.
   */
  private void resendOrFail(List<Exchange> exchanges, IOException error) {
    for (Exchange exchange : exchanges) {
      if (exchange.resends < MAX_RESENDS && !closed) {
        exchange.resends++;
        assign(exchange);
      } else {
        exchange.result.completeExceptionally(error);
      }
    }
  }

  /** Times out exchanges and connection attempts, and closes connections idle for too long. */
  private void scan(long now) {
    if (now - nextIdleScanNanos >= 0) {
      pool.closeIdle(now, idleTimeoutNanos);
      nextIdleScanNanos = now + IDLE_SCAN_INTERVAL_NANOS;
    }
    for (Connection connection : deadlines.expired(now, pool.busyConnections())) {
      expire(connection, now);
    }
  }

  /**
   * Closes a connection whose earliest exchange (or whose connection attempt) timed out. The
   * exchanges behind it that still have time go again on another connection.
   */
  private void expire(Connection connection, long now) {
    boolean connecting = !connection.connected;
    connection.close();
    pool.notBusy(connection);
    List<Exchange> behind = new ArrayList<>();
    for (Exchange exchange : connection.releaseAll()) {
      if (connecting) {
        exchange.result.completeExceptionally(
            new HttpConnectTimeoutException("connecting to " + exchange.route + " timed out"));
      } else if (now - exchange.deadlineNanos >= 0) {
        exchange.result.completeExceptionally(
            new HttpTimeoutException("request to " + exchange.route + " timed out"));
      } else {
        behind.add(exchange);
      }
    }
    resendOrFail(
        behind,
        new IOException(
            "connection to "
                + connection.route
                + " closed: a request before this one on it timed out"));
  }

  private void shutdown() {
    IOException closing = new IOException("the HTTP client is closed");
    Exchange next;
    while ((next = submitted.poll()) != null) {
      next.result.completeExceptionally(closing);
    }
    for (Connection connection : pool.closeAll()) {
      connection.releaseAll().forEach(exchange -> exchange.result.completeExceptionally(closing));
    }
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("Closing the HTTP client's selector failed", e);
    }
  }

  private static String describe(Exchange exchange, Throwable error) {
    String message = error.getMessage();
    return "cannot connect to "
        + exchange.route
        + ": "
        + error.getClass().getSimpleName()
        + (message == null ? "" : " " + message);
  }
}
