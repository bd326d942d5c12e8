package dev.loft.server.core;

import dev.loft.protocol.Frame;
import dev.loft.protocol.FrameCodec;
import dev.loft.protocol.PeerIds;
import dev.loft.protocol.RawJson;
import dev.loft.server.core.ClusterMessage.Kind;
import dev.loft.server.link.OutboundFrame;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Delivery} across hubs that share a {@link Broker}: every call reaches this hub's peers at
 * once ({@link LocalDelivery}) and the other hubs' through broker channels, at most once. No
 * state is kept in the broker: who is where travels on the channels (joins, leaves, syncs) and
 * each hub's heartbeat says it lives.
 *
 * <p>Channels (docs/architecture.md, "Cluster"): {@code loft.t.<topic>} followed while the topic
 * has a local subscriber, {@code loft.n.<network>} while the network has a local member, the
 * broker's node channel (what is addressed to one of this hub's peers) and {@code loft.hb}
 * (heartbeats) always. A hub ignores its own messages coming back.
 *
 * <p>Threads: the delivery calls run on decoder threads, {@link #onMessage} on the broker's
 * thread, heartbeats on the housekeeper; all of them only hand frames to peers' bounded queues.
 */
final class ClusterDelivery implements Delivery, Broker.Listener, Topics.Interest, Networks.Interest {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterDelivery.class);
  static final String HEARTBEAT_CHANNEL = "loft.hb";
  /** Members per SYNC message, so that one message stays far below the broker's size bound. */
  static final int SYNC_CHUNK = 100;

  private final LocalDelivery local;
  private final Networks networks;
  private final Broker broker;
  private final String node;
  private final RemoteMembers remote;
  private final FrameCodec codec;
  private final StatStore counters;
  private final int discoveryLimit;
  /** Closes a peer of this hub that another hub held first under the same id (the single hub's policy). */
  private final java.util.function.Consumer<Peer> refuseDuplicate;
  /** An operator's kick forwarded by another hub: closes the peer here if it is here. */
  private final java.util.function.Predicate<String> kickHere;
  private final long ttlNanos;
  private final AtomicBoolean closed = new AtomicBoolean();
  /**
   * Joins the broker dropped (Redis down), as "network NUL peer id": sent again when the link is
   * back, so that a peer that announced meanwhile still meets the other hubs' members. At most
   * {@link #MAX_UNSENT_JOINS}; past it a join is lost (counted). A peer that leaves is taken out.
   */
  private final java.util.Set<String> unsentJoins = ConcurrentHashMap.newKeySet();
  static final int MAX_UNSENT_JOINS = 10_000;
  /** Leaves the broker dropped, kept and sent again like {@link #unsentJoins} (a rejoin takes one out). */
  private final java.util.Set<String> unsentLeaves = ConcurrentHashMap.newKeySet();
  /** Networks whose first local member has joined but not yet asked the other hubs who is there. */
  private final java.util.Set<String> toAsk = ConcurrentHashMap.newKeySet();
  private volatile ScheduledFuture<?> heartbeat;
  private volatile ScheduledExecutorService housekeeper;
  /** Topic presence questions awaiting the other hubs' answers, by request id; at most MAX_PENDING_PRESENCE. */
  private final ConcurrentHashMap<String, PresenceGather> presenceAsked = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong presenceIds = new java.util.concurrent.atomic.AtomicLong();
  /** Runs the handling of one message from another hub so that its sends are written as one batch. */
  private volatile java.util.function.Consumer<Runnable> batch = Runnable::run;

  ClusterDelivery(LocalDelivery local, Networks networks, Broker broker, RemoteMembers remote, FrameCodec codec,
      StatStore counters, int discoveryLimit, Duration ttl, java.util.function.Consumer<Peer> refuseDuplicate,
      java.util.function.Predicate<String> kickHere) {
    this.refuseDuplicate = refuseDuplicate;
    this.kickHere = kickHere;
    this.local = local;
    this.networks = networks;
    this.broker = broker;
    this.node = broker.nodeId();
    this.remote = remote;
    this.codec = codec;
    this.counters = counters;
    this.discoveryLimit = discoveryLimit;
    this.ttlNanos = ttl.toNanos();
  }

  static final String TOPIC_PREFIX = "loft.t.";

  static String topicChannel(String topic) {
    return TOPIC_PREFIX + topic;
  }

  static String networkChannel(String network) {
    return "loft.n." + network;
  }

  /** Follows this hub's own channels and starts the heartbeat: beats every third of the TTL. */
  void start(ScheduledExecutorService housekeeper) {
    this.housekeeper = housekeeper;
    broker.listener(this);
    broker.subscribe(HEARTBEAT_CHANNEL);
    long every = Math.max(1, ttlNanos / 3);
    try {
      heartbeat = housekeeper.scheduleWithFixedDelay(this::beat, 0, every, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopping) {
      // the hub is stopping
    }
  }

  /** One heartbeat: say this hub lives, forget the hubs that have been silent for the TTL. */
  void beat() {
    send(HEARTBEAT_CHANNEL, ClusterMessage.of(Kind.HEARTBEAT, node, null));
    if (!broker.isUp()) {
      // This hub hears no one: whether the others live is not known, and telling every peer here
      // that every remote peer left would make PeerPigeon clients drop WebRTC links that still work.
      return;
    }
    for (String silent : remote.silentNodes(ttlNanos)) {
      counters.increment(Stat.CLUSTER_NODES_EXPIRED);
      LOG.warn("hub {} has not been heard from for {} ms: its peers are gone", silent, ttlNanos / 1_000_000);
      nodeGone(silent);
    }
  }

  // ------------------------------------------------------------------------------ Delivery

  @Override
  public int publish(String topic, String senderId, OutboundFrame frame) {
    int delivered = local.publish(topic, senderId, frame);
    send(topicChannel(topic), ClusterMessage.of(Kind.TOPIC, node, bytes(frame), senderId));
    return delivered;
  }

  @Override
  public Outcome toPeer(String network, String peerId, OutboundFrame frame) {
    Outcome here = local.toPeer(network, peerId, frame);
    if (here != Outcome.NOT_FOUND) {
      return here;
    }
    RemoteMembers.Member there = remote.get(network, PeerIds.normalize(peerId));
    if (there == null) {
      return Outcome.NOT_FOUND;
    }
    boolean sent = send(broker.nodeChannel(there.node()),
        ClusterMessage.of(Kind.TO_PEER, node, bytes(frame), network, there.peerId()));
    return sent ? Outcome.DELIVERED : Outcome.UNREACHABLE;
  }

  @Override
  public int toNetwork(String network, String exceptPeerId, OutboundFrame frame) {
    int delivered = local.toNetwork(network, exceptPeerId, frame);
    send(networkChannel(network), ClusterMessage.of(Kind.NETWORK, node, bytes(frame), network, exceptPeerId));
    return delivered;
  }

  @Override
  public void joined(String network, Peer peer, RawJson data, int discoveryLeft) {
    unsentLeaves.remove(key(network, peer.id()));
    if (toAsk.remove(network)) {
      // On the heartbeat channel too, for the same reason as the join below.
      send(HEARTBEAT_CHANNEL, ClusterMessage.of(Kind.SYNC_REQUEST, node, null, network));
    }
    int others = Math.max(1, remote.nodes());
    int quota = discoveryLeft <= 0 ? 0 : (discoveryLeft + others - 1) / others;
    // On the heartbeat channel, which every hub follows from its start, not the network's: when the
    // first members of one network arrive on two hubs at once, each hub's network channel may not
    // be followed yet, and each would miss the other's join (seen in the relay stress scenario).
    boolean sent = send(HEARTBEAT_CHANNEL,
        ClusterMessage.of(Kind.JOIN, node, null, network, peer.id(), data.text(), Integer.toString(quota),
            Long.toString(peer.connectedAtMillis())));
    if (!sent) {
      keepToResend(unsentJoins, key(network, peer.id()), Stat.CLUSTER_JOINS_LOST);
    }
  }

  @Override
  public boolean kickElsewhere(String peerId) {
    return send(HEARTBEAT_CHANNEL, ClusterMessage.of(Kind.KICK, node, null, peerId));
  }

  @Override
  public int left(String network, String peerId, OutboundFrame disconnected) {
    String key = key(network, peerId);
    unsentJoins.remove(key);
    int delivered = local.left(network, peerId, disconnected);
    if (!send(networkChannel(network), ClusterMessage.of(Kind.LEAVE, node, bytes(disconnected), network, peerId))) {
      // Not heard elsewhere: the other hubs would keep this peer in their presence until this hub dies.
      keepToResend(unsentLeaves, key, Stat.CLUSTER_LEAVES_LOST);
    }
    return delivered;
  }

  @Override
  public Presence networkPresence(String network, int limit) {
    Presence here = local.networkPresence(network, limit);
    Collection<RemoteMembers.Member> there = remote.members(network);
    List<String> ids = new ArrayList<>(here.peerIds());
    int count = here.count();
    for (RemoteMembers.Member m : there) {
      if (ids.size() < limit) {
        ids.add(m.peerId());
      }
      count++;
    }
    return new Presence(ids, count);
  }

  @Override
  public Presence topicPresence(String topic, int limit) {
    return local.topicPresence(topic, limit);
  }

  /**
   * Topic presence across hubs, gathered on request (hubs do not track each other's subscribers):
   * asked of every hub on the heartbeat channel, answered when every hub heard from within the TTL
   * has replied, or after {@link #PRESENCE_WAIT} with what came (counted). At most
   * {@link #MAX_PENDING_PRESENCE} questions at once; past it, this hub's subscribers only (counted).
   */
  @Override
  public void topicPresence(String topic, int limit, java.util.function.Consumer<Presence> answer) {
    Presence here = local.topicPresence(topic, limit);
    int others = remote.nodes();
    if (others == 0 || closed.get()) {
      answer.accept(here);
      return;
    }
    if (presenceAsked.size() >= MAX_PENDING_PRESENCE) {
      counters.increment(Stat.CLUSTER_PRESENCE_LOCAL_ONLY);
      answer.accept(here);
      return;
    }
    String id = Long.toString(presenceIds.incrementAndGet());
    PresenceGather gather = new PresenceGather(here, limit, others, answer);
    presenceAsked.put(id, gather);
    if (!send(HEARTBEAT_CHANNEL, ClusterMessage.of(Kind.PRESENCE_REQUEST, node, null, topic, id, Integer.toString(limit)))) {
      presenceAsked.remove(id);
      counters.increment(Stat.CLUSTER_PRESENCE_LOCAL_ONLY);
      answer.accept(here);
      return;
    }
    ScheduledExecutorService timers = housekeeper;
    try {
      gather.timeout = timers.schedule(() -> {
        PresenceGather late = presenceAsked.remove(id);
        if (late != null) {
          counters.increment(Stat.CLUSTER_PRESENCE_TIMEOUTS);
          late.answer();
        }
      }, PRESENCE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      presenceAsked.remove(id);
      answer.accept(here);
    }
  }

  /** How long a topic presence waits for the other hubs' answers. */
  static final Duration PRESENCE_WAIT = Duration.ofMillis(500);
  /** Ids in one hub's answer, whatever the asker's limit: 10,000 ids are ~0.4 MB, under the message bound. */
  static final int MAX_PRESENCE_IDS_PER_REPLY = 10_000;
  /** Topic presence questions to other hubs awaiting answers at once. */
  static final int MAX_PENDING_PRESENCE = 1_000;

  /** One topic presence question: this hub's answer, the others' as they come. Guarded by itself. */
  private static final class PresenceGather {
    private final List<String> ids;
    private int count;
    private int waitingFor;
    private final int limit;
    private final java.util.function.Consumer<Presence> answer;
    volatile ScheduledFuture<?> timeout;

    PresenceGather(Presence here, int limit, int others, java.util.function.Consumer<Presence> answer) {
      this.ids = new ArrayList<>(here.peerIds());
      this.count = here.count();
      this.limit = limit;
      this.waitingFor = others;
      this.answer = answer;
    }

    /** Adds one hub's answer; true when it was the last one awaited. */
    synchronized boolean add(int theirCount, List<String> theirIds) {
      count += theirCount;
      for (String id : theirIds) {
        if (ids.size() < limit) {
          ids.add(id);
        }
      }
      return --waitingFor == 0;
    }

    void answer() {
      Presence p;
      synchronized (this) {
        p = new Presence(List.copyOf(ids), count);
      }
      answer.accept(p);
    }
  }

  private void onPresenceRequest(ClusterMessage m) {
    int limit = (int) Math.max(0, Math.min(parseLong(m.field(2)), MAX_PRESENCE_IDS_PER_REPLY));
    Presence here = local.topicPresence(m.field(0), limit);
    List<String> fields = new ArrayList<>(here.peerIds().size() + 2);
    fields.add(m.field(1));
    fields.add(Integer.toString(here.count()));
    fields.addAll(here.peerIds());
    send(broker.nodeChannel(m.origin()), new ClusterMessage(Kind.PRESENCE_REPLY, node, List.copyOf(fields), new byte[0]));
  }

  private void onPresenceReply(ClusterMessage m) {
    PresenceGather gather = presenceAsked.get(m.field(0));
    if (gather == null) {
      return; // answered already (timed out)
    }
    int count = (int) Math.min(Integer.MAX_VALUE, Math.max(0, parseLong(m.field(1))));
    if (gather.add(count, m.fields().subList(2, m.fields().size())) && presenceAsked.remove(m.field(0), gather)) {
      ScheduledFuture<?> t = gather.timeout;
      if (t != null) {
        t.cancel(false);
      }
      gather.answer();
    }
  }

  // ------------------------------------------------------------------------------ interest

  @Override
  public void firstSubscriber(String topic) {
    broker.subscribe(topicChannel(topic));
  }

  @Override
  public void lastSubscriberLeft(String topic) {
    broker.unsubscribe(topicChannel(topic));
  }

  @Override
  public void firstMember(String network) {
    broker.subscribe(networkChannel(network));
    toAsk.add(network); // asked in joined(), once the member is visible to a reply's reader
  }

  @Override
  public void lastMemberLeft(String network) {
    broker.unsubscribe(networkChannel(network));
    remote.forgetNetwork(network);
    toAsk.remove(network); // a join refused or undone after the first member came
  }

  // ------------------------------------------------------------------------------ from other hubs

  /** How sends from the broker's thread are batched (the transport's); until set, each goes out at once. */
  void batching(java.util.function.Consumer<Runnable> batch) {
    this.batch = batch;
  }

  @Override
  public void onMessage(String channel, byte[] bytes) {
    batch.accept(() -> handle(channel, bytes));
  }

  private void handle(String channel, byte[] bytes) {
    ClusterMessage m;
    try {
      m = ClusterMessage.decode(bytes);
    } catch (IllegalArgumentException e) {
      counters.increment(Stat.CLUSTER_BAD_MESSAGES);
      return;
    }
    if (m.origin().equals(node)) {
      return; // our own, back from a channel we follow
    }
    counters.increment(Stat.CLUSTER_RECEIVED);
    remote.seen(m.origin());
    switch (m.kind()) {
      case TOPIC -> local.publish(topicOf(channel), m.field(0), frame(m.payload()));
      case NETWORK -> local.toNetwork(m.field(0), m.field(1), frame(m.payload()));
      case TO_PEER -> {
        if (local.toPeer(m.field(0), m.field(1), frame(m.payload())) != Outcome.DELIVERED) {
          counters.increment(Stat.CLUSTER_UNDELIVERED);
        }
      }
      case JOIN -> {
        if (!duplicate(m)) {
          onJoin(m);
        }
      }
      case DUPLICATE -> {
        Peer mine = networks.member(m.field(0), m.field(1));
        if (mine != null) {
          counters.increment(Stat.CLUSTER_DUPLICATES_REFUSED);
          refuseDuplicate.accept(mine);
        }
      }
      case INTRODUCE -> onIntroduce(m);
      case LEAVE -> {
        // Only once per peer: after a BYE or an expiry its peers are already gone and told.
        if (remote.remove(m.field(0), m.field(1), m.origin()) != null) {
          local.toNetwork(m.field(0), m.field(1), frame(m.payload()));
        }
      }
      case SYNC_REQUEST -> sendMembers(m.field(0), broker.nodeChannel(m.origin())); // if it has members there
      
      case SYNC -> {
        String network = m.field(0);
        for (int i = 1; i + 2 < m.fields().size(); i += 3) {
          record(network, m.field(i), m.origin(), m.field(i + 1), m.field(i + 2)); // where, not an introduction
        }
      }
      case KICK -> kickHere.test(m.field(0));
      case PRESENCE_REQUEST -> onPresenceRequest(m);
      case PRESENCE_REPLY -> onPresenceReply(m);
      case HEARTBEAT -> { } // seen above
      case BYE -> nodeGone(m.origin());
      default -> counters.increment(Stat.CLUSTER_BAD_MESSAGES);
    }
  }

  @Override
  public void onReconnected() {
    remote.seenAllNow(); // heard of no one while down: each gets a whole TTL to beat again
    // Leaves, then joins, dropped while the link was down go out now (joins for the peers still here).
    for (String key : List.copyOf(unsentLeaves)) {
      if (unsentLeaves.remove(key)) {
        int cut = key.indexOf('\u0000');
        String network = key.substring(0, cut);
        String peerId = key.substring(cut + 1);
        send(networkChannel(network), ClusterMessage.of(Kind.LEAVE, node, bytes(OutboundFrame.encode(codec,
            new Frame.PeerDisconnected(peerId, network, System.currentTimeMillis()))), network, peerId));
      }
    }
    for (String key : List.copyOf(unsentJoins)) {
      unsentJoins.remove(key);
      int cut = key.indexOf('\u0000');
      String network = key.substring(0, cut);
      Peer peer = networks.member(network, key.substring(cut + 1));
      RawJson data = peer == null ? null : peer.announceData();
      if (data != null) {
        joined(network, peer, data, discoveryLimit);
      }
    }
    // Messages may have been lost while the link was down: ask again who is where, and say who is here.
    for (String network : networks.names()) {
      send(HEARTBEAT_CHANNEL, ClusterMessage.of(Kind.SYNC_REQUEST, node, null, network));
      sendMembers(network, networkChannel(network));
    }
  }

  /**
   * The same peer id announced into one network on two hubs: as on one hub, the connection that
   * came second is refused ({@code 1008 Peer already connected}) and the first one keeps its id.
   * Who came second is decided the same way on both hubs (connect time, then hub id), so exactly
   * one closes, whichever JOIN arrives first; the holder of the first tells the other hub. True
   * when the joiner is the one refused.
   */
  private boolean duplicate(ClusterMessage m) {
    Peer mine = networks.member(m.field(0), m.field(1));
    if (mine == null) {
      return false;
    }
    boolean mineFirst = new RemoteMembers.Member(mine.id(), node, null, mine.connectedAtMillis())
        .before(new RemoteMembers.Member(m.field(1), m.origin(), null, parseLong(m.field(4))));
    if (mineFirst) {
      send(broker.nodeChannel(m.origin()), ClusterMessage.of(Kind.DUPLICATE, node, null, m.field(0), m.field(1)));
      return true; // theirs is refused there: not recorded here
    }
    counters.increment(Stat.CLUSTER_DUPLICATES_REFUSED);
    refuseDuplicate.accept(mine);
    return false; // theirs stays: recorded and introduced like any other join
  }

  private static long parseLong(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * A peer announced on another hub: remember where it is, introduce it to up to {@code quota} of
   * this hub's members (the origin's share of the cluster-wide discovery cap), and introduce them
   * to it through its hub, which learns where they are from the same message.
   */
  private void onJoin(ClusterMessage m) {
    String network = m.field(0);
    String newcomer = m.field(1);
    int quota = Math.min(parseQuota(m.field(3)), discoveryLimit);
    if (networks.members(network).isEmpty()) {
      return; // no member here: nothing to introduce, nothing to remember
    }
    record(network, newcomer, m.origin(), m.field(2), m.field(4));
    // Every join introduces, even of a peer already known from a sync (which only says where peers
    // are): when the first members of two hubs join within a Redis round trip, both hubs may
    // introduce them, and each is told of the other twice, never not at all.
    introduce(network, newcomer, m.field(2), m.origin(), quota);
  }

  /**
   * A remote peer that joined: introduced to up to {@code quota} of this hub's members (they
   * get its peer-discovered), and they to it through its hub ({@code INTRODUCE}), which learns
   * from the same message where they are.
   */
  private void introduce(String network, String newcomer, String newcomerData, String origin, int quota) {
    RawJson data = new RawJson(newcomerData);
    int told = 0;
    long now = System.currentTimeMillis();
    for (Peer member : networks.members(network)) {
      RawJson memberData = member.announceData();
      if (memberData == null || member.id().equals(newcomer)) {
        continue;
      }
      if (told >= quota) {
        counters.increment(Stat.DISCOVERY_CAPPED);
        break;
      }
      member.send(OutboundFrame.encode(codec, new Frame.PeerDiscovered(member.id(), network, data, now)));
      send(broker.nodeChannel(origin), ClusterMessage.of(Kind.INTRODUCE, node, null, network, newcomer,
          member.id(), memberData.text(), Long.toString(member.connectedAtMillis())));
      told++;
    }
  }

  /** A hub introduces one of its members to our newcomer: remember where it is, tell the newcomer. */
  private void onIntroduce(ClusterMessage m) {
    String network = m.field(0);
    String newcomer = m.field(1);
    record(network, m.field(2), m.origin(), m.field(3), m.field(4));
    Peer target = networks.member(network, newcomer);
    if (target != null) {
      target.send(OutboundFrame.encode(codec,
          new Frame.PeerDiscovered(newcomer, network, new RawJson(m.field(3)), System.currentTimeMillis())));
    }
  }

  private RemoteMembers.Put record(String network, String peerId, String origin, String data, String connectedAt) {
    if (networks.members(network).isEmpty()) {
      return RemoteMembers.Put.KNOWN; // not followed here (the last member left meanwhile)
    }
    RemoteMembers.Put put = remote.put(network, new RemoteMembers.Member(peerId, origin, new RawJson(data), parseLong(connectedAt)));
    if (put == RemoteMembers.Put.REFUSED) {
      counters.increment(Stat.CLUSTER_REMOTE_PEERS_REFUSED);
    }
    return put;
  }

  /** This hub's members of {@code network}, in chunks, to {@code channel}. */
  private void sendMembers(String network, String channel) {
    List<String> fields = new ArrayList<>();
    fields.add(network);
    for (Peer member : networks.members(network)) {
      RawJson data = member.announceData();
      if (data == null) {
        continue;
      }
      fields.add(member.id());
      fields.add(data.text());
      fields.add(Long.toString(member.connectedAtMillis()));
      if (fields.size() > 3 * SYNC_CHUNK) {
        send(channel, new ClusterMessage(Kind.SYNC, node, List.copyOf(fields), new byte[0]));
        fields.subList(1, fields.size()).clear();
      }
    }
    if (fields.size() > 1) {
      send(channel, new ClusterMessage(Kind.SYNC, node, List.copyOf(fields), new byte[0]));
    }
  }

  /** A hub stopped or went silent: its peers left every network, as a close would have said. */
  private void nodeGone(String gone) {
    long now = System.currentTimeMillis();
    for (Map.Entry<String, List<RemoteMembers.Member>> e : remote.forgetNode(gone).entrySet()) {
      for (RemoteMembers.Member m : e.getValue()) {
        local.toNetwork(e.getKey(), m.peerId(),
            OutboundFrame.encode(codec, new Frame.PeerDisconnected(m.peerId(), e.getKey(), now)));
      }
    }
  }

  // ------------------------------------------------------------------------------ helpers

  private boolean send(String channel, ClusterMessage m) {
    if (closed.get()) {
      return false;
    }
    boolean sent = broker.publish(channel, m.encode());
    counters.increment(sent ? Stat.CLUSTER_SENT : Stat.CLUSTER_SEND_DROPPED);
    return sent;
  }

  /** A (network, peer id) as one set element; NUL is in neither (both are validated text). */
  private static String key(String network, String peerId) {
    return network + '\u0000' + peerId;
  }

  /** Keeps {@code key} to send again when the link is back, at most {@link #MAX_UNSENT_JOINS}; past it counted as lost. */
  private void keepToResend(java.util.Set<String> unsent, String key, Stat lost) {
    if (closed.get()) {
      return;
    }
    if (unsent.size() < MAX_UNSENT_JOINS) {
      unsent.add(key);
    } else {
      counters.increment(lost);
    }
  }

  private static String topicOf(String channel) {
    return channel.substring(TOPIC_PREFIX.length());
  }

  private static int parseQuota(String text) {
    try {
      return Math.max(0, Integer.parseInt(text));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static byte[] bytes(OutboundFrame frame) {
    ByteBuffer payload = frame.payload();
    byte[] out = new byte[payload.remaining()];
    payload.get(out);
    return out;
  }

  private static OutboundFrame frame(byte[] utf8) {
    return OutboundFrame.text(utf8);
  }

  int remotePeers() {
    return remote.size();
  }

  int knownNodes() {
    return remote.nodes();
  }

  int presencePending() {
    return presenceAsked.size();
  }

  /** Says goodbye (the other hubs forget this hub's peers at once) and stops the heartbeat. */
  @Override
  public void close() {
    if (closed.get()) {
      return;
    }
    send(HEARTBEAT_CHANNEL, ClusterMessage.of(Kind.BYE, node, null));
    closed.set(true);
    ScheduledFuture<?> beat = heartbeat;
    if (beat != null) {
      beat.cancel(false);
    }
    // Questions still waiting: answered now with what came, their timers cancelled.
    for (String id : List.copyOf(presenceAsked.keySet())) {
      PresenceGather g = presenceAsked.remove(id);
      if (g != null) {
        ScheduledFuture<?> t = g.timeout;
        if (t != null) {
          t.cancel(false);
        }
        g.answer();
      }
    }
  }
}
