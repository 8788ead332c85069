package io.keyflow.module;

/**
 * Turns the {@code spec} of one {@code module.yaml} document of a given {@link #kind()} into a
 * {@link Component}.
 *
 * <p>The endpoint kinds are built in. Other kinds (Kafka ingress and egress, ...) are found with
 * {@link java.util.ServiceLoader}: list the implementation in {@code
 * META-INF/services/io.keyflow.module.ComponentBinder}; it needs a public no-argument constructor.
 *
 * <p>A binder reads its spec through {@link YamlNode}, which reports every problem as a {@link
 * ModuleException} naming the file, document, field path, bad value and what is accepted. A binder
 * should accept only the keys it knows ({@link YamlNode#allowOnlyKeys}), so a typo fails loudly
 * instead of silently falling back to a default.
 */
public interface ComponentBinder {

  /** The versioned kind this binder reads, e.g. {@code io.statefun.kafka.v1/ingress}. */
  String kind();

  /**
   * Reads a spec. Returns an {@link HttpEndpoint}, an {@link IngressComponent}, an {@link
   * EgressComponent}, a {@link ScheduleComponent} or a {@link CompositeComponent} of them; throws
   * {@link ModuleException} (see {@link YamlNode#error}) on bad input.
   */
  Component bind(YamlNode spec);
}
