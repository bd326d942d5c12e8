package dev.loft.client;

/**
 * The connection closed after a request was sent and before it was answered. Whether the hub acted
 * on it is unknown; the client does not resend it.
 */
public final class ConnectionLostException extends HubClientException {
  private static final long serialVersionUID = 1L;

  public ConnectionLostException(String message) {
    super(message);
  }
}
