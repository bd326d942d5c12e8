package dev.loft.client;

import dev.loft.protocol.ErrorCode;

/** The hub answered a request with an {@code error} frame. */
public final class HubRequestException extends HubClientException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final String requestId;

  public HubRequestException(String code, String message, String requestId) {
    super(code + ": " + message);
    this.code = code;
    this.requestId = requestId;
  }

  /** The wire code exactly as the hub sent it (an {@link ErrorCode} name, or a newer code). */
  public String code() {
    return code;
  }

  /** The code as an {@link ErrorCode}, or null when this client does not know it. */
  public ErrorCode errorCode() {
    try {
      return ErrorCode.valueOf(code);
    } catch (IllegalArgumentException unknown) {
      return null;
    }
  }

  public String requestId() {
    return requestId;
  }
}
