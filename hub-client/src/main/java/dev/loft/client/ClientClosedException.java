package dev.loft.client;

/** The client was closed: before the operation was called, or while it was pending or buffered. */
public final class ClientClosedException extends HubClientException {
  private static final long serialVersionUID = 1L;

  public ClientClosedException() {
    super("the hub client is closed");
  }
}
