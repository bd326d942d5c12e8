package dev.loft.protocol;

import java.util.Objects;

/**
 * Bad input, with a stable {@link ErrorCode}. The codec throws nothing else for any input text.
 *
 * <p>{@link #requestId()} is the frame's {@code id} when it could be read before the problem was
 * found, so the error frame sent back can be correlated by the client.
 */
public final class ProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String requestId;

  public ProtocolException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ProtocolException(ErrorCode code, String message, String requestId) {
    // Stack traces of bad input are noise and cost: a flood of malformed frames must stay cheap.
    super(message, null, false, false);
    this.code = Objects.requireNonNull(code, "code");
    this.requestId = requestId;
  }

  public ErrorCode code() {
    return code;
  }

  /** The offending frame's {@code id}, or null when it had none or it could not be read. */
  public String requestId() {
    return requestId;
  }

  ProtocolException withRequestId(String id) {
    return id == null || requestId != null ? this : new ProtocolException(code, getMessage(), id);
  }

  @Override
  public String toString() {
    return "ProtocolException[" + code + "]: " + getMessage();
  }
}
