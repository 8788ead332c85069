package io.keyflow.remote.http;

/**
 * An HTTP response as read from the wire.
 *
 * @param status the status code
 * @param contentType the {@code Content-Type} header, empty if absent
 * @param body the body, empty if none
 */
public record RawResponse(int status, String contentType, byte[] body) {}
