package io.keyflow.testing;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A collector's OTLP/HTTP trace receiver for tests: takes {@code POST /v1/traces} with a protobuf
 * {@code ExportTraceServiceRequest}, decodes the spans' ids, names and kinds from the wire format
 * (field numbers of opentelemetry-proto's trace.proto), and answers 200 as a collector does.
 */
public final class OtlpReceiver implements AutoCloseable {
  /** A span as exported: ids in lower-case hex, the parent empty for a root. */
  public record ReceivedSpan(
      String traceId, String spanId, String parentSpanId, String name, int kind) {}

  private static final HexFormat HEX = HexFormat.of();
  private final HttpServer server;
  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private OtlpReceiver(HttpServer server) {
    this.server = server;
  }

  /** Starts a receiver on a free port of 127.0.0.1. */
  public static OtlpReceiver start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    OtlpReceiver receiver = new OtlpReceiver(server);
    server.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream in = body(exchange)) {
            receiver.requests.add(exchange.getRequestHeaders().getFirst("Content-Type"));
            receiver.spans.addAll(decodeRequest(in.readAllBytes()));
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
          } catch (IOException | RuntimeException e) {
            exchange.sendResponseHeaders(400, -1);
          } finally {
            exchange.close();
          }
        });
    server.start();
    return receiver;
  }

  /** The URL to configure as {@code keyflow.tracing.endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
  }

  /** Every span received so far. */
  public List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /** The spans of one trace received so far. */
  public List<ReceivedSpan> trace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  /** The Content-Type of every export request received. */
  public List<String> contentTypes() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static InputStream body(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
    return "gzip".equalsIgnoreCase(encoding)
        ? new GZIPInputStream(exchange.getRequestBody())
        : exchange.getRequestBody();
  }

  /** ExportTraceServiceRequest: resource_spans = 1. */
  static List<ReceivedSpan> decodeRequest(byte[] body) throws IOException {
    List<ReceivedSpan> out = new ArrayList<>();
    for (byte[] resourceSpans : messages(body, 1)) {
      // ResourceSpans: scope_spans = 2.
      for (byte[] scopeSpans : messages(resourceSpans, 2)) {
        // ScopeSpans: spans = 2.
        for (byte[] span : messages(scopeSpans, 2)) {
          out.add(decodeSpan(span));
        }
      }
    }
    return out;
  }

  /** Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, kind = 6. */
  private static ReceivedSpan decodeSpan(byte[] span) throws IOException {
    String traceId = "";
    String spanId = "";
    String parent = "";
    String name = "";
    int kind = 0;
    CodedInputStream in = CodedInputStream.newInstance(span);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> traceId = HEX.formatHex(in.readByteArray());
        case 2 -> spanId = HEX.formatHex(in.readByteArray());
        case 4 -> parent = HEX.formatHex(in.readByteArray());
        case 5 -> name = in.readStringRequireUtf8();
        case 6 -> kind = in.readEnum();
        default -> in.skipField(tag);
      }
    }
    return new ReceivedSpan(traceId, spanId, parent, name, kind);
  }

  /** The length-delimited values of field {@code number} of a message. */
  private static List<byte[]> messages(byte[] message, int number) throws IOException {
    List<byte[]> out = new ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (WireFormat.getTagFieldNumber(tag) == number
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        out.add(in.readByteArray());
      } else {
        in.skipField(tag);
      }
    }
    return out;
  }
}
