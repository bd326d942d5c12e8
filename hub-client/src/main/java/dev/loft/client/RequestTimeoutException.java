package dev.loft.client;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A request got neither {@code ack} nor {@code error} within the request timeout. The hub may still
 * have acted on it. A {@link TimeoutException}, so it reads like {@code CompletableFuture.orTimeout}.
 */
public final class RequestTimeoutException extends TimeoutException {
  private static final long serialVersionUID = 1L;

  private final String requestType;
  private final transient Duration timeout;

  public RequestTimeoutException(String requestType, Duration timeout) {
    super(requestType + " got no answer from the hub within " + timeout.toMillis() + " ms");
    this.requestType = requestType;
    this.timeout = timeout;
  }

  /** The wire type of the request, e.g. {@code publish}. */
  public String requestType() {
    return requestType;
  }

  public Duration timeout() {
    return timeout;
  }
}
