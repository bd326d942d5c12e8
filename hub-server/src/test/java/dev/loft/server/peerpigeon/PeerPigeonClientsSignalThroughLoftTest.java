package dev.loft.server.peerpigeon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loft.server.config.HubConfig;
import dev.loft.server.HubServer;
import dev.loft.server.peerpigeon.NodeInterop.DriverRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Guards Loft's claim to be a drop-in hub for PeerPigeon with PeerPigeon's own client code
 * ({@code peerpigeon@1.1.3}, pinned in {@code src/test/node/package-lock.json}): two PeerPigeon
 * SignalingClients connect to Loft, announce into one network, learn of each other through
 * PeerPigeon's {@code peerDiscovered} event and pass an offer, an answer and ICE candidates through the
 * hub. The same scenario runs against PeerPigeon's own hub as the control, and the frames both hubs
 * sent are compared; every tolerated difference is listed in {@link FrameComparison} and
 * docs/protocol.md ("Differences from PeerPigeon's hub").
 *
 * <p>Skipped (assumption) where node/npm are not on PATH; FAILS when they are but {@code npm ci
 * --ignore-scripts} does not work. The driver's raw output is kept in {@code
 * target/peerpigeon-interop/}.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES) // npm ci on a cold cache included
class PeerPigeonClientsSignalThroughLoftTest {

  /** Peers idle this long mid-scenario, so that Loft's heartbeat (1 s here) pings them and checks pongs. */
  private static final Duration IDLE = Duration.ofMillis(2500);
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);

  /** The scenario's steps, in order (interop.mjs). */
  private static final List<String> STEPS = List.of(
      "connect-and-discover", "offer", "answer", "ice-candidate", "idle", "ping",
      "probe-unknown-target", "probe-other-network", "probe-spoofed-from", "probe-bad-json",
      "probe-unknown-type", "probe-cleanup", "probe-claims-hub", "drop", "leave");

  private static final List<String> PEERS = List.of("A", "B", "C", "D");

  private static NodeInterop node;
  private static Throwable setupProblem;
  private static DriverRun loftRun;
  private static DriverRun controlRun;

  /**
   * Per test rather than {@code @BeforeAll}: Surefire reports an assumption that fails in
   * {@code @BeforeAll} as "0 tests run" instead of skipped tests with the reason. The work itself
   * (locating node, {@code npm ci}) happens once; its outcome is replayed for every test.
   */
  @BeforeEach
  void nodeAndPeerPigeonAreInstalled() throws Throwable {
    synchronized (PeerPigeonClientsSignalThroughLoftTest.class) {
      if (node == null && setupProblem == null) {
        try {
          NodeInterop located = NodeInterop.locateOrSkip();
          located.ensureInstalled();
          node = located;
        } catch (AssertionError | RuntimeException t) { // RuntimeException includes TestAbortedException
          setupProblem = t; // skipped (no node/npm) or failed (npm ci): the same for every test
        }
      }
      if (setupProblem != null) {
        throw setupProblem;
      }
    }
  }

  private static synchronized DriverRun againstLoft() {
    if (loftRun == null) {
      HubConfig cfg = HubConfig.builder().port(0).adminPort(-1).maxPeers(5_000).connectionLostTimeout(HEARTBEAT).build();
      try (HubServer hub = HubServer.start(cfg)) {
        loftRun = node.runDriver("loft", hub.uri(), IDLE);
      }
    }
    return loftRun;
  }

  private static synchronized DriverRun againstPeerPigeon() {
    if (controlRun == null) {
      try (NodeInterop.PeerPigeonHub hub = node.startPeerPigeonHub()) {
        controlRun = node.runDriver("peerpigeon-hub", hub.uri, IDLE);
      }
    }
    return controlRun;
  }

  // ------------------------------------------------------------------------------ tests

  @Test
  void peerPigeonClientsConnectDiscoverAndSignalThroughLoft() {
    DriverRun loft = againstLoft();
    if (!loft.ok()) {
      DriverRun control = againstPeerPigeon();
      String step = loft.result().has("failedStep") ? loft.result().get("failedStep").getAsString() : "?";
      StringBuilder msg = new StringBuilder()
          .append("PeerPigeon's client failed against Loft at step '").append(step).append("': ")
          .append(loft.result().has("error") ? loft.result().get("error").getAsString() : "(no error text)")
          .append("\nsteps against Loft:              ").append(FrameComparison.stepStatus(loft.result()))
          .append("\nsteps against PeerPigeon's hub:  ").append(FrameComparison.stepStatus(control.result()))
          .append("\nframes received in step '").append(step).append("':\n");
      for (String peer : PEERS) {
        msg.append("  peer ").append(peer).append(", expected (PeerPigeon's hub):\n");
        FrameComparison.framesInStep(control.result(), peer, step).forEach(f -> msg.append("      ").append(f).append('\n'));
        msg.append("  peer ").append(peer).append(", got (Loft):\n");
        FrameComparison.framesInStep(loft.result(), peer, step).forEach(f -> msg.append("      ").append(f).append('\n'));
      }
      msg.append("driver output: ").append(loft.stdout()).append(", ").append(loft.stderr());
      fail(msg.toString());
    }
    assertEquals(STEPS, stepNames(loft), "steps run against Loft");
    assertEquals(0, loft.exitCode(), "driver exit code against Loft");
    JsonObject r = loft.result();
    assertEquals(List.of("<B>", "<D>"), discovered(r, "A"), "peers A learnt of through PeerPigeon's peerDiscovered event");
    assertEquals(List.of("<A>", "<D>"), discovered(r, "B"), "peers B learnt of through PeerPigeon's peerDiscovered event");
    assertEquals(List.of(), discovered(r, "C"), "C is in another network and must learn of nobody");
  }

  /**
   * Guards against a cluster that PeerPigeon's client can tell from one hub: A on one hub and B on
   * another (sharing a real Redis) discover each other through its peerDiscovered event and signal.
   */
  @Test
  void peerPigeonClientsOnTwoHubsOfAClusterDiscoverAndSignalEachOther() {
    DriverRun run;
    try (dev.loft.server.support.RedisServer redis = dev.loft.server.support.RedisServer.onFreePort();
         HubServer one = HubServer.start(dev.loft.server.support.ClusterHubs.config(redis, "pp-1")
             .connectionLostTimeout(HEARTBEAT).build());
         HubServer two = HubServer.start(dev.loft.server.support.ClusterHubs.config(redis, "pp-2")
             .connectionLostTimeout(HEARTBEAT).build())) {
      dev.loft.server.support.ClusterHubs.awaitMesh(List.of(one, two));
      run = node.runDriver("loft-cluster", one.uri(), two.uri(), IDLE);
    }
    assertTrue(run.ok(), () -> "PeerPigeon's client failed across two hubs at step '"
        + (run.result().has("failedStep") ? run.result().get("failedStep").getAsString() : "?") + "': "
        + (run.result().has("error") ? run.result().get("error").getAsString() : "") + "; steps "
        + FrameComparison.stepStatus(run.result()) + "; output " + run.stdout() + ", " + run.stderr());
    assertEquals(List.of("<B>", "<D>"), discovered(run.result(), "A"), "A learnt of B on the other hub");
    assertEquals(List.of("<A>", "<D>"), discovered(run.result(), "B"), "B learnt of A and D on the other hub");
  }

  @Test
  void theDriverPassesAgainstPeerPigeonsOwnHub() {
    DriverRun control = againstPeerPigeon();
    assertTrue(control.ok(), () -> "the interop driver must pass against PeerPigeon's own hub (the control), "
        + "or the test itself is wrong: " + control.result().get("error") + "\nsteps: "
        + FrameComparison.stepStatus(control.result()) + "\noutput: " + control.stdout() + ", hub log in "
        + node.workDir);
    assertEquals(STEPS, stepNames(control), "steps run against PeerPigeon's hub");
  }

  @Test
  void loftSendsTheFramesPeerPigeonsHubSendsApartFromDocumentedDifferences() {
    DriverRun control = againstPeerPigeon();
    DriverRun loft = againstLoft();
    String diff = FrameComparison.diff(control.result(), loft.result(), PEERS);
    if (!diff.isEmpty()) {
      fail("Loft and PeerPigeon's hub sent different frames to PeerPigeon clients running the same scenario"
          + " (compared: frame type and field names per step; ids and timestamps normalised).\n"
          + "Tolerated, documented differences:\n  - "
          + String.join("\n  - ", FrameComparison.DOCUMENTED_DIFFERENCES) + "\n\n" + diff
          + "\nsteps against Loft:             " + FrameComparison.stepStatus(loft.result())
          + "\nsteps against PeerPigeon's hub: " + FrameComparison.stepStatus(control.result())
          + "\nraw results: " + control.stdout() + " and " + loft.stdout());
    }
  }

  @Test
  void loftsDeliberateDifferencesShowAndPeerPigeonClientsKeepWorking() {
    DriverRun control = againstPeerPigeon();
    JsonObject pp = control.result();
    JsonObject loft = againstLoft().result();

    // fromPeerId is stamped from the connection: A claimed to be X.
    assertEquals("<X>", only(pp, "B", "probe-spoofed-from", "ice-candidate").get("fromPeerId").getAsString(),
        "control: PeerPigeon's hub passes on a client-chosen fromPeerId");
    assertEquals("<A>", only(loft, "B", "probe-spoofed-from", "ice-candidate").get("fromPeerId").getAsString(),
        "Loft stamps fromPeerId with the sending connection's id");

    // isHub is not trusted.
    for (String peer : List.of("A", "B")) {
      assertTrue(only(pp, peer, "probe-claims-hub", "peer-discovered").getAsJsonObject("data").get("isHub").getAsBoolean(),
          "control: PeerPigeon's hub believes a client's isHub:true");
      assertEquals(false,
          only(loft, peer, "probe-claims-hub", "peer-discovered").getAsJsonObject("data").get("isHub").getAsBoolean(),
          "Loft never passes on a client's isHub:true");
    }

    // Undeliverable signals and malformed input get an error frame with a code (PeerPigeon: nothing).
    assertEquals(List.of("pong"), types(pp, "A", "probe-unknown-target"), "control: silence, then the barrier's pong");
    assertEquals(List.of("error", "pong"), types(loft, "A", "probe-unknown-target"), "Loft answers an unknown target");
    assertEquals("PEER_NOT_FOUND", first(loft, "A", "probe-unknown-target", "error").get("code").getAsString());
    assertTrue(first(loft, "A", "probe-unknown-target", "error").has("error"), "human text stays in `error`");
    assertEquals("PEER_NOT_FOUND", first(loft, "C", "probe-unknown-target", "error").get("code").getAsString());
    assertEquals(List.of("error", "pong"), clientEvents(loft, "C", "probe-unknown-target"),
        "a PeerPigeon client in network \"global\" passes Loft's error frame to its SignalingHandler ...");
    assertEquals(0, loft.getAsJsonObject("handlerErrorsByPeer").getAsJsonArray("C").size(),
        "... which ignores it without failing");
    assertEquals(List.of(), clientEvents(loft, "A", "probe-unknown-target"),
        "a PeerPigeon client in another network drops Loft's error frame (no networkName) before its handlers");
    assertEquals("PEER_NOT_FOUND", first(loft, "A", "probe-other-network", "error").get("code").getAsString(),
        "a signal to a peer of another network is refused");
    assertEquals(List.of("pong"), types(pp, "A", "probe-bad-json"), "control: silence on malformed JSON");
    assertEquals("BAD_JSON", first(loft, "A", "probe-bad-json", "error").get("code").getAsString());
    assertEquals("UNKNOWN_TYPE", first(loft, "A", "probe-unknown-type", "error").get("code").getAsString());
    assertEquals(List.of("pong"), types(loft, "A", "probe-cleanup"), "Loft accepts PeerPigeon's cleanup and answers nothing");

    // peer-disconnected stays inside the network: C (network "global") hears nothing of D and A.
    assertTrue(types(pp, "C", "drop").contains("peer-disconnected"),
        "control: PeerPigeon's hub tells C, in another network, that D left");
    assertEquals(List.of("pong"), types(loft, "C", "drop"), "Loft does not tell C that D (another network) left");
    assertEquals(List.of("pong"), types(loft, "C", "leave"), "Loft does not tell C that A (another network) left");
    for (String peer : List.of("A", "B")) {
      assertTrue(types(loft, peer, "drop").contains("peer-disconnected"), "Loft tells " + peer + " that D left its network");
    }

    // Heartbeat: Loft pinged the idle PeerPigeon clients; they answered (ws does) and stayed connected.
    JsonObject pings = loft.getAsJsonObject("heartbeatPingsByPeer");
    for (String peer : List.of("A", "B", "C")) {
      assertTrue(pings.has(peer) && pings.get(peer).getAsInt() > 0, "Loft's heartbeat pinged " + peer + ": " + pings);
    }
    assertTrue(stepOk(loft, "idle"), "PeerPigeon clients stay connected through Loft's heartbeat");
  }

  // ------------------------------------------------------------------------------ helpers

  private static List<String> stepNames(DriverRun run) {
    List<String> names = new ArrayList<>();
    run.result().getAsJsonArray("steps").forEach(e -> names.add(e.getAsJsonObject().get("name").getAsString()));
    return names;
  }

  private static boolean stepOk(JsonObject result, String step) {
    for (JsonElement e : result.getAsJsonArray("steps")) {
      JsonObject s = e.getAsJsonObject();
      if (s.get("name").getAsString().equals(step)) {
        return s.get("ok").getAsBoolean();
      }
    }
    return false;
  }

  private static List<String> discovered(JsonObject result, String peer) {
    List<String> out = new ArrayList<>();
    result.getAsJsonObject("peerDiscoveredEventsByPeer").getAsJsonArray(peer)
        .forEach(e -> out.add(e.getAsJsonObject().get("peerId").getAsString()));
    return out;
  }

  private static List<JsonObject> framesOf(JsonObject result, String peer, String step) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement e : FrameComparison.frames(result, peer)) {
      JsonObject entry = e.getAsJsonObject();
      if (entry.get("step").getAsString().equals(step)) {
        out.add(entry);
      }
    }
    return out;
  }

  private static List<String> types(JsonObject result, String peer, String step) {
    return framesOf(result, peer, step).stream().map(e -> e.get("type").getAsString()).collect(Collectors.toList());
  }

  private static JsonObject first(JsonObject result, String peer, String step, String type) {
    return framesOf(result, peer, step).stream()
        .filter(e -> e.get("type").getAsString().equals(type))
        .map(e -> e.getAsJsonObject("frame"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("peer " + peer + " received no '" + type + "' in step '" + step
            + "'; it received: " + FrameComparison.framesInStep(result, peer, step)));
  }

  private static JsonObject only(JsonObject result, String peer, String step, String type) {
    List<JsonObject> matching = framesOf(result, peer, step).stream()
        .filter(e -> e.get("type").getAsString().equals(type))
        .map(e -> e.getAsJsonObject("frame"))
        .collect(Collectors.toList());
    assertEquals(1, matching.size(), () -> "peer " + peer + " should receive exactly one '" + type + "' in step '"
        + step + "'; it received: " + FrameComparison.framesInStep(result, peer, step));
    return matching.get(0);
  }

  private static List<String> clientEvents(JsonObject result, String peer, String step) {
    JsonArray events = result.getAsJsonObject("clientEventsByPeer").getAsJsonArray(peer);
    List<String> out = new ArrayList<>();
    for (JsonElement e : events) {
      JsonObject ev = e.getAsJsonObject();
      if (ev.get("step").getAsString().equals(step)) {
        out.add(ev.get("type").getAsString());
      }
    }
    return out;
  }
}
