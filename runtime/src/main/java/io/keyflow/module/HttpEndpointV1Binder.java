package io.keyflow.module;

/**
 * Reads the legacy kind {@code io.statefun.endpoints.v1/http}, which always uses the okhttp
 * transport and takes its timeouts directly under the spec.
 *
 * <pre>{@code
 * kind: io.statefun.endpoints.v1/http
 * spec:
 *   functions: shop/cart
 *   urlPathTemplate: http://functions:8000/statefun/{function.name}
 *   maxNumBatchRequests: 1000
 *   timeouts:          # defaults: call 1 min, connect, read and write 10 s
 *     call: 2min
 *     read: 30s
 * }</pre>
 */
final class HttpEndpointV1Binder implements ComponentBinder {

  static final String KIND = "io.statefun.endpoints.v1/http";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Component bind(YamlNode spec) {
    spec.allowOnlyKeys("functions", "urlPathTemplate", "maxNumBatchRequests", "timeouts");
    return new HttpEndpoint(
        HttpEndpointBinder.functions(spec),
        HttpEndpointBinder.urlPathTemplate(spec),
        spec.optionalInt("maxNumBatchRequests", HttpEndpoint.DEFAULT_MAX_NUM_BATCH_REQUESTS),
        TransportSpec.okHttp(spec));
  }
}
