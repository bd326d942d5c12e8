package dev.loft.client;

/**
 * An {@code error} frame from the hub that answers no pending request (errors that do answer one
 * fail that request's future with a {@link HubRequestException} instead). {@code code} is an
 * {@code ErrorCode} name, or a code this client does not know.
 */
public record HubError(String code, String message, String requestId) {}
