package io.keyflow.remote.http;

/**
 * A complete HTTP response to a POST.
 *
 * @param status the final status code (interim 1xx responses are skipped)
 * @param contentType the {@code Content-Type} header, empty if absent
 * @param body the body, empty if none
 */
public record Response(int status, String contentType, byte[] body) {}
