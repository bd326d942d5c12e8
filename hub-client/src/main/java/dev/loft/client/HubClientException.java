package dev.loft.client;

/** Base class of the failures a {@link HubClient} reports through its futures and its {@link ErrorListener}. */
public class HubClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HubClientException(String message) {
    super(message);
  }

  public HubClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
