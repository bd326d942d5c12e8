package dev.loft.client;

/**
 * Back-pressure: the frame was refused, not queued. Either the outgoing buffer that holds frames
 * while disconnected is at its bound, or the pending request map is full. Retry later, or drop.
 */
public final class BufferFullException extends HubClientException {
  private static final long serialVersionUID = 1L;

  public BufferFullException(String message) {
    super(message);
  }
}
