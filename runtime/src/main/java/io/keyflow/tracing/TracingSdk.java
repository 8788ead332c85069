package io.keyflow.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenTelemetry SDK of one set of settings, shared by the dispatcher subtasks of a JVM: one
 * batching export queue and one OTLP/HTTP exporter (on the JDK's HTTP client) per TaskManager,
 * flushed and closed when the last subtask lets go.
 *
 * <p>Keyflow decides sampling itself before any span exists (see {@link DispatchTracing}), so the
 * SDK records every span it is asked for.
 */
final class TracingSdk {
  private static final Logger LOG = LoggerFactory.getLogger(TracingSdk.class);
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  /** How long finished spans wait to be exported together. */
  static final Duration EXPORT_DELAY = Duration.ofSeconds(1);

  private static final Map<TracingSettings, TracingSdk> SHARED = new HashMap<>();

  private final TracingSettings settings;
  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private int users;

  private TracingSdk(TracingSettings settings) {
    this.settings = settings;
    this.provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(Resource.create(Attributes.of(SERVICE_NAME, settings.serviceName()))))
            .setSampler(Sampler.alwaysOn())
            .addSpanProcessor(
                BatchSpanProcessor.builder(
                        OtlpHttpSpanExporter.builder().setEndpoint(settings.endpoint()).build())
                    .setScheduleDelay(EXPORT_DELAY)
                    .build())
            .build();
    this.tracer = provider.get("io.keyflow");
  }

  /** The SDK for {@code settings}, started on first use; give it back with {@link #release}. */
  static synchronized TracingSdk acquire(TracingSettings settings) {
    TracingSdk sdk = SHARED.computeIfAbsent(settings, TracingSdk::new);
    if (sdk.users == 0) {
      LOG.info(
          "Tracing to {} (service {}, sampling ratio {})",
          settings.endpoint(),
          settings.serviceName(),
          settings.samplingRatio());
    }
    sdk.users++;
    return sdk;
  }

  Tracer tracer() {
    return tracer;
  }

  /** Lets go of the SDK; the last user exports what is left and shuts it down. */
  void release() {
    synchronized (TracingSdk.class) {
      if (--users > 0) {
        return;
      }
      SHARED.remove(settings);
    }
    if (!provider.shutdown().join(10, TimeUnit.SECONDS).isSuccess()) {
      LOG.warn("Tracing: spans not yet exported to {} may be lost", settings.endpoint());
    }
  }
}
