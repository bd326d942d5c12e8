package dev.loft.server.link;

import java.net.InetSocketAddress;
import dev.loft.server.budget.Account;

/**
 * One peer's connection as the hub's core sees it: the seam between routing and the WebSocket
 * library. Nothing above this interface knows Java-WebSocket, so a fixed release or another
 * transport replaces one package.
 */
public interface PeerLink {
  /**
   * Queues a frame without blocking and without copying it. Returns false when the link is no
   * longer open. The caller enforces backlog bounds with {@link #pendingBytes()} first.
   */
  boolean send(OutboundFrame frame);

  /** Bytes queued for this peer and not yet written to its socket (a lower bound, see impl). */
  long pendingBytes();

  /** Frames queued for this peer and not yet fully written. */
  int queuedFrames();

  boolean isOpen();

  /** Graceful close: the close frame goes out behind whatever is already queued. */
  void close(int code, String reason);

  /**
   * Eviction, step one: queues the close frame. With {@code dropBacklog} (a peer that is not
   * reading) everything queued before it is dropped first (all but a frame already half written,
   * which must finish or the stream would be corrupt), so the close goes out next and the memory
   * is freed now; otherwise the close follows the backlog. Call from a thread that holds no lock
   * of the hub's.
   */
  void evict(int code, String reason, boolean dropBacklog);

  /**
   * Runs {@code action} once everything this thread has sent so far is written or queued: at once,
   * or, on a decoder thread in the middle of a read, when that read's batch is flushed. An error
   * frame followed by an eviction must reach the wire before the close.
   */
  void afterPendingWrites(Runnable action);

  /** Eviction, step two: closes the socket now, close handshake or not. Idempotent. */
  void forceClose(int code, String reason);

  InetSocketAddress remoteAddress();

  /** The request target of the handshake, e.g. {@code /?peerId=...}. */
  String resourceDescriptor();

  long bytesRead();

  long bytesWritten();

  /** The core's state for this link (set once on open). */
  <T> T attachment();

  /**
   * Hands the link to the core. False when the link closed meanwhile (a reset right after the
   * handshake): the close callback will not come, so the caller gives back what it took for it.
   */
  boolean attach(Object attachment);

  /** What this connection holds, charged to the hub's memory budget. */
  Account budgetAccount();
}
