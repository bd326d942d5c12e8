package dev.loft.server.core;

import dev.loft.server.events.PeerInfo;
import dev.loft.protocol.RawJson;
import dev.loft.server.budget.Account;
import dev.loft.server.limits.TokenBucket;
import dev.loft.server.link.OutboundFrame;
import dev.loft.server.link.PeerLink;
import java.net.InetAddress;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * One admitted peer: its id, its link, its network and topics, and its per-peer bounds.
 *
 * <p>Threads: fields marked "decoder thread" are touched only by the peer's own decoder thread
 * (the library keeps one connection's callbacks on one worker). Everything else is safe to read
 * from any thread.
 */
public final class Peer implements PeerInfo {
  // Counters and flags are volatile fields behind static updaters, not AtomicLong/AtomicBoolean
  // objects: seven such objects cost an idle peer about 170 bytes of heap (docs/benchmarks.md, idle).
  private static final AtomicLongFieldUpdater<Peer> FRAMES_CAUSED = longField("framesCaused");
  private static final AtomicLongFieldUpdater<Peer> FRAMES_IN = longField("framesIn");
  private static final AtomicLongFieldUpdater<Peer> FRAMES_OUT = longField("framesOut");
  private static final AtomicLongFieldUpdater<Peer> DROPPED = longField("dropped");
  private static final AtomicLongFieldUpdater<Peer> ERRORS = longField("errors");
  private static final AtomicIntegerFieldUpdater<Peer> CLOSING =
      AtomicIntegerFieldUpdater.newUpdater(Peer.class, "closing");
  private static final AtomicIntegerFieldUpdater<Peer> CLOSED =
      AtomicIntegerFieldUpdater.newUpdater(Peer.class, "closed");

  private final String id;
  private final PeerLink link;
  private final InetAddress address;
  private final long connectedAtMillis;
  private final long connectedAtNanos;
  private final SendPolicy sendPolicy;

  // decoder thread
  private final TokenBucket rateLimit;
  private final TokenBucket strikes;
  private final TokenBucket errorReplies;
  private final TokenBucket networkChanges;

  private final Account account;
  private volatile String network;
  /** Announce data as sent on, stamped and encoded once (raw JSON text, never a tree). */
  private volatile RawJson announceData;
  /** Frames this peer's requests caused the hub to send to anyone (fan-out, notices, replies). */
  private volatile long framesCaused;
  // budget sweeper thread: where the last amplification window started
  long windowFramesIn;
  long windowFramesCaused;
  /** Created on first subscribe: most peers never subscribe, and an empty set still costs. */
  private volatile Set<String> topics;
  private volatile boolean engaged;
  private volatile ScheduledFuture<?> graceTimer;

  private volatile long framesIn;
  private volatile long framesOut;
  private volatile long dropped;
  private volatile long errors;
  private volatile int closing; // 0 or 1, through CLOSING
  private volatile int closed; // 0 or 1, through CLOSED

  Peer(
      String id,
      PeerLink link,
      InetAddress address,
      long connectedAtNanos,
      SendPolicy sendPolicy,
      TokenBucket rateLimit,
      TokenBucket strikes,
      TokenBucket errorReplies,
      TokenBucket networkChanges) {
    this.id = id;
    this.account = link.budgetAccount();
    this.errorReplies = errorReplies;
    this.networkChanges = networkChanges;
    this.link = link;
    this.address = address;
    this.connectedAtMillis = System.currentTimeMillis();
    this.connectedAtNanos = connectedAtNanos;
    this.sendPolicy = sendPolicy;
    this.rateLimit = rateLimit;
    this.strikes = strikes;
  }

  /** Decides, per frame, whether a peer's backlog allows one more; evicts when it does not. */
  interface SendPolicy {
    boolean admit(Peer peer, OutboundFrame frame);
  }

  @Override
  public String id() {
    return id;
  }

  /** The connection: the core's alone (events and the admin API see this peer, never its link). */
  PeerLink link() {
    return link;
  }

  @Override
  public InetAddress address() {
    return address;
  }

  @Override
  public long connectedAtMillis() {
    return connectedAtMillis;
  }

  long connectedAtNanos() {
    return connectedAtNanos;
  }

  /** The network this peer announced into, or null before announcing / after goodbye. */
  @Override
  public String network() {
    return network;
  }

  void network(String network) {
    this.network = network;
  }

  RawJson announceData() {
    return announceData;
  }

  void announceData(RawJson data) {
    this.announceData = data;
  }

  /** This connection's memory account (what the hub holds for it). */
  public Account account() {
    return account;
  }

  TokenBucket errorReplies() {
    return errorReplies;
  }

  TokenBucket networkChanges() {
    return networkChanges;
  }

  void countCaused(long frames) {
    FRAMES_CAUSED.addAndGet(this, frames);
  }

  public long framesCaused() {
    return framesCaused;
  }

  /** Topics this peer subscribes to (a live view; empty if it never subscribed). */
  public Set<String> topics() {
    Set<String> t = topics;
    return t == null ? Collections.emptySet() : t;
  }

  Set<String> topicsForUpdate() {
    Set<String> t = topics;
    if (t == null) {
      t = ConcurrentHashMap.newKeySet(4);
      topics = t;
    }
    return t;
  }

  /** Queues {@code frame} if the peer's backlog allows; false if dropped or the peer is closing. */
  public boolean send(OutboundFrame frame) {
    if (closing != 0 || !sendPolicy.admit(this, frame)) {
      return false;
    }
    if (link.send(frame)) {
      FRAMES_OUT.incrementAndGet(this);
      return true;
    }
    return false;
  }

  boolean engaged() {
    return engaged;
  }

  /** The peer announced or subscribed: it is no longer subject to the idle grace period. */
  void engage() {
    if (!engaged) {
      engaged = true;
      cancelGraceTimer();
    }
  }

  void graceTimer(ScheduledFuture<?> timer) {
    this.graceTimer = timer;
  }

  void cancelGraceTimer() {
    ScheduledFuture<?> t = graceTimer;
    if (t != null) {
      t.cancel(false);
      graceTimer = null;
    }
  }

  TokenBucket rateLimit() {
    return rateLimit;
  }

  TokenBucket strikes() {
    return strikes;
  }

  void countFrameIn() {
    FRAMES_IN.incrementAndGet(this);
  }

  void countDropped() {
    DROPPED.incrementAndGet(this);
  }

  void countError() {
    ERRORS.incrementAndGet(this);
  }

  public long framesIn() {
    return framesIn;
  }

  public long framesOut() {
    return framesOut;
  }

  public long dropped() {
    return dropped;
  }

  public long errors() {
    return errors;
  }

  /** Frames queued to this peer and not yet fully written. */
  public int queuedFrames() {
    return link.queuedFrames();
  }

  public long pendingBytes() {
    return link.pendingBytes();
  }

  /** First caller wins: marks the peer as being closed by the hub (eviction, kick, shutdown). */
  boolean markClosing() {
    return CLOSING.compareAndSet(this, 0, 1);
  }

  public boolean isClosing() {
    return closing != 0;
  }

  /** True once the close callback has started this peer's cleanup. */
  boolean isClosed() {
    return closed != 0;
  }

  /** First caller wins: the close callback for this peer runs its cleanup exactly once. */
  boolean markClosed() {
    closing = 1;
    return CLOSED.compareAndSet(this, 0, 1);
  }

  @Override
  public String toString() {
    return "Peer[" + id.substring(0, 8) + "…@" + address.getHostAddress() + "]"; // id is validated hex
  }

  private static AtomicLongFieldUpdater<Peer> longField(String name) {
    return AtomicLongFieldUpdater.newUpdater(Peer.class, name);
  }
}
