package dev.loft.stress;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loft.protocol.PeerIds;
import dev.loft.stress.ws.WsEngine;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * abuse: the attacks of the issue "bounded by construction", from one client machine, one per
 * run (or all in turn), each with what it cost the hub: heap (sampled and live), CPU, frames and
 * bytes in and out, how the attacker's connections ended, and whether a healthy pair of peers kept
 * doing round trips meanwhile. Checks say whether the hub stayed bounded; a hub that dies or stops
 * answering is reported, not a crash of the tool.
 */
@Command(name = "abuse", mixinStandardHelpOptions = true,
    description = "Reproduces one attack of the issue 'bounded by construction' (or all in turn) and reports what it"
        + " cost the hub (heap, CPU, frames out per frame in, attacker close codes) and the latency of a healthy pair.")
final class AbuseScenario extends Scenario {
  static final List<String> ATTACKS =
      List.of("announce-tree", "ping-flood", "header-flood", "binary-flood", "topic-hog", "announce-flip", "reset-race");

  @Option(names = "--attack", required = true,
      description = "announce-tree, ping-flood, header-flood, binary-flood, topic-hog, announce-flip, reset-race, or all.")
  String attack;

  @Option(names = "--duration", defaultValue = "15", description = "Seconds each attack lasts (default: ${DEFAULT-VALUE}).")
  double duration;

  @Option(names = "--settle", defaultValue = "3", description = "Seconds after an attack before the 'after' heap (default: ${DEFAULT-VALUE}).")
  double settle;

  @Option(names = "--hub-pid", defaultValue = "-1",
      description = "Pid of an external hub, for CPU from /proc/<pid>/stat and bytes from /proc/<pid>/io"
          + " (--embedded and --in-process know it; default: none).")
  long hubPid;

  @Option(names = "--fresh-hub", description = "Restart the hub before every attack but the first (needs --embedded or --restart-cmd).")
  boolean freshHub;

  @Option(names = "--healthy-rate", defaultValue = "20", description = "Round trips/s of the healthy pair (default: ${DEFAULT-VALUE}).")
  double healthyRate;

  @Option(names = "--healthy-timeout-ms", defaultValue = "2000",
      description = "A healthy round trip not back within this is a failure (default: ${DEFAULT-VALUE}).")
  long healthyTimeoutMs;

  // announce-tree
  @Option(names = "--connections", defaultValue = "60", description = "announce-tree: attacking connections (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--tree-bytes", defaultValue = "250000",
      description = "announce-tree: size of each announce frame; keep it under the hub's --max-frame-bytes, 262144 (default: ${DEFAULT-VALUE}).")
  int treeBytes;

  @Option(names = "--tree-element", defaultValue = "[0]",
      description = "announce-tree: the tiny JSON element repeated in data.t (default: ${DEFAULT-VALUE}; try {} or []).")
  String treeElement;

  @Option(names = "--tree-shared-network",
      description = "announce-tree: all attackers in one network (adds discovery fan-out) instead of one network each.")
  boolean treeSharedNetwork;

  // ping-flood, binary-flood, header-flood
  @Option(names = "--ping-payload", defaultValue = "0", description = "ping-flood: payload bytes per ping, 0-125 (default: ${DEFAULT-VALUE}).")
  int pingPayload;

  @Option(names = "--binary-payload", defaultValue = "1", description = "binary-flood: payload bytes per frame, 0-125 (default: ${DEFAULT-VALUE}).")
  int binaryPayload;

  @Option(names = "--rcvbuf", defaultValue = "4096",
      description = "ping/binary-flood: SO_RCVBUF of the never-reading socket (default: ${DEFAULT-VALUE}).")
  int rcvbuf;

  @Option(names = "--header-sockets", defaultValue = "50", description = "header-flood: sockets (default: ${DEFAULT-VALUE}).")
  int headerSockets;

  @Option(names = "--reconnect",
      description = "ping/binary/header-flood: reconnect when the hub closes a socket, until the attack's end.")
  boolean reconnect;

  // topic-hog
  @Option(names = "--hog-peers", defaultValue = "1000", description = "topic-hog: peers from one address (default: ${DEFAULT-VALUE}).")
  int hogPeers;

  @Option(names = "--hog-topics", defaultValue = "100", description = "topic-hog: subscriptions per peer, each a new topic (default: ${DEFAULT-VALUE}).")
  int hogTopics;

  @Option(names = "--hog-address", defaultValue = "201",
      description = "topic-hog: the peers come from 127.0.0.N (default: ${DEFAULT-VALUE}; keep it above --source-addresses).")
  int hogAddress;

  // announce-flip
  @Option(names = "--members", defaultValue = "1000", description = "announce-flip: peers, split into two networks (default: ${DEFAULT-VALUE}).")
  int members;

  @Option(names = "--flip-rate", defaultValue = "150",
      description = "announce-flip: announces/s of the attacker, under the hub's rate limit (200/s) (default: ${DEFAULT-VALUE}).")
  double flipRate;

  // reset-race
  @Option(names = "--resets", defaultValue = "3000", description = "reset-race: handshakes reset at once (default: ${DEFAULT-VALUE}).")
  int resets;

  @Option(names = "--reset-concurrency", defaultValue = "32", description = "reset-race: in flight (default: ${DEFAULT-VALUE}).")
  int resetConcurrency;

  @Option(names = "--settle-timeout", defaultValue = "15",
      description = "reset-race: seconds to wait for the hub's peers gauge to fall back to the healthy pair (default: ${DEFAULT-VALUE}).")
  double settleTimeout;

  /** Raw sockets bind 127.0.0.100.. so they neither share the engine's addresses nor the hog's. */
  private static final int RAW_FIRST = 100;
  private static final int RAW_ADDRESSES = 64;
  private static final Set<String> NOT_COUNTERS =
      Set.of("uptimeMillis", "heapUsedBytes", "heapMaxBytes", "rssBytes", "directBufferBytes", "processCpuNanos", "threads",
          "gcCount", "maxPeersEffective");

  private HubProc proc;
  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final List<Double> eventTimes = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean watching = true;

  @Override
  String name() {
    return "abuse";
  }

  @Override
  int defaultSampleMillis() {
    return 250;
  }

  // ------------------------------------------------------------------------------ the run

  @Override
  void run() throws Exception {
    List<String> todo = attack.equalsIgnoreCase("all") ? ATTACKS : List.of(attack.toLowerCase(Locale.ROOT));
    for (String a : todo) {
      if (!ATTACKS.contains(a)) {
        throw new IllegalArgumentException("--attack must be one of " + ATTACKS + " or all, not " + a);
      }
    }
    if (hogAddress <= common.sourceAddresses || hogAddress >= RAW_FIRST && hogAddress < RAW_FIRST + RAW_ADDRESSES) {
      throw new IllegalArgumentException("--hog-address must be above --source-addresses and outside 100..163");
    }
    proc = new HubProc(hub.pid() > 0 ? hub.pid() : hubPid);
    report.hub("pid", proc.pid);
    report.hub("cpuSource", proc.known() ? "/stats processCpuNanos, else /proc/" + proc.pid + "/stat" : "/stats processCpuNanos");
    JsonObject first = stats();
    report.hub("maxFrameBytes", "262144 unless the hub was started with --max-frame-bytes");
    if (first != null) {
      report.hub("heapMaxBytes", num(first, "heapMaxBytes"));
    }
    Thread watch = new Thread(this::watch, "hub-watch");
    watch.setDaemon(true);
    watch.start();
    List<String[]> rows = new ArrayList<>();
    boolean firstAttack = true;
    try {
      for (String a : todo) {
        if (pastDeadline()) {
          report.note(a + ": skipped, past --max-seconds");
          continue;
        }
        if (!ensureHub(a, freshHub && !firstAttack)) {
          report.note(a + ": skipped, the hub does not answer /health and cannot be restarted by this tool");
          report.check(a + ": hub available", false, "hub down before the attack");
          continue;
        }
        firstAttack = false;
        JsonObject r = runAttack(a);
        report.result(a, r);
        rows.add(row(a, r));
      }
    } finally {
      watching = false;
    }
    report.line("");
    report.line(String.format("%-14s %9s %9s %9s %11s %10s  %s", "attack", "heap peak", "live/att", "hub CPU", "out/in", "healthy", "attacker ended"));
    for (String[] row : rows) {
      report.line(String.format("%-14s %9s %9s %9s %11s %10s  %s", (Object[]) row));
    }
  }

  /** Polls /health (and the hub's process) every 500 ms; notes when it stops and starts answering. */
  private void watch() {
    boolean up = true;
    boolean alive = true;
    while (watching) {
      boolean h = admin.healthy();
      if (h != up) {
        event(h ? "hub answers /health again" : "hub stopped answering /health");
        up = h;
      }
      if (alive && proc.known() && !proc.alive()) {
        alive = false;
        event("hub process " + proc.pid + " exited");
      }
      try {
        TimeUnit.MILLISECONDS.sleep(500); // polling the hub: it pushes nothing
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void event(String text) {
    double t = sampler.now();
    synchronized (events) {
      events.add(String.format(Locale.ROOT, "t=%.1fs %s", t, text));
      eventTimes.add(t);
    }
    sampler.mark(text.length() > 24 ? text.substring(0, 24) : text);
  }

  private List<String> eventsBetween(double from, double to) {
    List<String> out = new ArrayList<>();
    synchronized (events) {
      for (int i = 0; i < events.size(); i++) {
        if (eventTimes.get(i) >= from && eventTimes.get(i) <= to) {
          out.add(events.get(i));
        }
      }
    }
    return out;
  }

  /** The hub answers /health (restarting it first when asked to, or when it is down and we can). */
  private boolean ensureHub(String a, boolean restart) throws Exception {
    boolean healthy = admin.healthy();
    if (!healthy) {
      healthy = awaitHub(admin::healthy, 5_000);
    }
    if ((restart || !healthy) && hub.canRestart()) {
      report.note(a + ": hub restarted before the attack" + (healthy ? " (--fresh-hub)" : " (it was down)"));
      try {
        hub.restart();
        HubTarget.awaitHealthy(hub.adminUrl(), Duration.ofSeconds(60), null);
        proc = new HubProc(hub.pid() > 0 ? hub.pid() : hubPid);
        return true;
      } catch (Exception e) {
        report.note(a + ": restarting the hub failed: " + e);
        return false;
      }
    }
    return healthy;
  }

  // ------------------------------------------------------------------------------ one attack

  /** What one attack did, filled by its body; the measurement window is [begin, end]. */
  final class Run {
    final String attack;
    final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> errorCodes = new ConcurrentHashMap<>();
    final AtomicLong framesSent = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final JsonObject extra = new JsonObject();
    final HealthyPair pair;
    volatile boolean stopping;
    double t0 = -1;
    double t1 = -1;
    JsonObject s0;
    JsonObject s1;
    double s1T;
    long cpu0;
    long cpu1;
    long[] io0;
    long[] io1;
    long pairIn0;
    long pairOut0;
    long pairIn1;
    long pairOut1;
    long pairFail0;
    long pairFail1;
    Histogram during;
    long maxGapMillis;
    JsonObject live;

    Run(String attack, HealthyPair pair) {
      this.attack = attack;
      this.pair = pair;
    }

    void outcome(String what) {
      outcomes.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    void error(String code) {
      errorCodes.computeIfAbsent(String.valueOf(code), k -> new AtomicLong()).incrementAndGet();
    }

    /** The attack proper starts: counters, CPU and the healthy pair's "during" period. */
    void begin() {
      if (t0 >= 0) {
        return;
      }
      sampler.mark(attack);
      t0 = sampler.now();
      s0 = stats();
      cpu0 = proc.cpuNanos();
      io0 = proc.io();
      pair.swap();
      pair.resetGap();
      pairIn0 = pair.framesSent.get();
      pairOut0 = pair.framesReceived.get();
      pairFail0 = pair.failures.get();
    }

    /** The attack proper ends (before the attacker's sockets are closed). */
    void end() {
      if (t1 >= 0 || t0 < 0) {
        return;
      }
      t1 = sampler.now();
      cpu1 = proc.cpuNanos();
      io1 = proc.io();
      pairIn1 = pair.framesSent.get();
      pairOut1 = pair.framesReceived.get();
      pairFail1 = pair.failures.get();
      maxGapMillis = pair.maxGapMillis();
      during = pair.swap();
      s1 = stats();
      s1T = sampler.now();
      if (s1 == null) {
        s1 = sampler.latest(); // the last answer the hub gave
        s1T = -1;
      }
      sampler.mark(attack + " over");
    }

    /** Live heap (a full GC in the hub) while the attacker still holds what it made the hub keep. */
    void liveUnderAttack() {
      live = statsGcQuiet();
    }

    double attackEnd() {
      return t0 + duration;
    }

    boolean running() {
      return !stopping && sampler.now() < attackEnd() && !pastDeadline();
    }
  }

  private JsonObject runAttack(String a) throws Exception {
    JsonObject before = statsGcQuiet();
    HealthyPair pair = new HealthyPair(engine, hub.wsUrl(), "abuse-" + tag + "-ok-" + a, healthyRate, healthyTimeoutMs);
    Run r = new Run(a, pair);
    String pairProblem = null;
    if (!pair.start(20_000)) {
      pairProblem = pair.why();
      report.note(a + ": " + pairProblem);
    } else {
      hold(1.0); // a second of round trips before the attack
    }
    status(() -> String.format("%s: attacker frames %s, bytes %s, ended %s | healthy rt %s fail %d",
        a, Fmt.n(r.framesSent.get()), Fmt.mb(r.bytesSent.get()), counts(r.outcomes), Fmt.n(pair.roundTrips.get()),
        pair.failures.get()));
    String error = null;
    try {
      switch (a) {
        case "announce-tree" -> announceTree(r);
        case "ping-flood" -> rawFlood(r, 0x9, new byte[pingPayload]);
        case "binary-flood" -> rawFlood(r, 0x2, "x".repeat(binaryPayload).getBytes(StandardCharsets.US_ASCII));
        case "header-flood" -> headerFlood(r);
        case "topic-hog" -> topicHog(r);
        case "announce-flip" -> announceFlip(r);
        case "reset-race" -> resetRace(r);
        default -> throw new IllegalArgumentException(a);
      }
    } catch (Exception e) {
      error = e.toString();
      report.note(a + ": the attack broke off: " + e);
    } finally {
      r.begin();
      r.end();
      r.stopping = true;
    }
    hold(settle);
    JsonObject after = statsGcQuiet();
    double tAfter = sampler.now();
    pair.close();
    return summarize(r, before, after, tAfter, error, pairProblem);
  }

  private JsonObject statsGcQuiet() {
    try {
      return statsGc();
    } catch (Exception e) {
      return null;
    }
  }

  // ------------------------------------------------------------------------------ figures

  private JsonObject summarize(Run r, JsonObject before, JsonObject after, double tAfter, String error, String pairProblem) {
    JsonObject o = new JsonObject();
    double secs = r.t1 - r.t0;
    o.addProperty("seconds", round3(secs));
    o.addProperty("startedAtT", round3(r.t0));
    if (error != null) {
      o.addProperty("error", error);
    }
    List<String> ev = eventsBetween(r.t0 - 1, tAfter);
    o.add("events", Report.toJson(String.join("; ", ev)));
    boolean upAtEnd = after != null || admin.healthy();
    o.addProperty("hubAnswersAfter", upAtEnd);

    // heap
    long heapPeak = sampler.max("heapUsedBytes", r.t0);
    long rssPeak = sampler.max("rssBytes", r.t0);
    o.addProperty("heapLiveBeforeBytes", num(before, "heapUsedBytes"));
    o.addProperty("heapPeakBytes", heapPeak);
    o.addProperty("heapLiveUnderAttackBytes", r.live == null ? -1 : num(r.live, "heapUsedBytes"));
    o.addProperty("heapLiveAfterBytes", num(after, "heapUsedBytes"));
    o.addProperty("heapMaxBytes", num(before, "heapMaxBytes"));
    o.addProperty("rssPeakBytes", rssPeak);

    // CPU
    long statsCpu = num(r.s1, "processCpuNanos") >= 0 && num(r.s0, "processCpuNanos") >= 0 && r.s1T >= 0
        ? num(r.s1, "processCpuNanos") - num(r.s0, "processCpuNanos") : -1;
    long procCpu = r.cpu0 >= 0 && r.cpu1 >= 0 ? r.cpu1 - r.cpu0 : -1;
    long cpu = statsCpu >= 0 ? statsCpu : procCpu;
    o.addProperty("hubCpuSeconds", cpu < 0 ? null : round3(cpu / 1e9));
    o.addProperty("hubCpuPercentOfOneCore", cpu < 0 || secs <= 0 ? null : Math.round(cpu / 1e9 / secs * 100));
    o.addProperty("hubCpuSource", statsCpu >= 0 ? "/stats" : procCpu >= 0 ? "/proc/" + proc.pid + "/stat" : "none");

    // frames and bytes
    long dIn = delta(r.s0, r.s1, "framesIn");
    long dOut = delta(r.s0, r.s1, "framesOut");
    long pairIn = r.pairIn1 - r.pairIn0;
    long pairOut = r.pairOut1 - r.pairOut0;
    long attIn = dIn < 0 ? -1 : Math.max(0, dIn - pairIn);
    long attOut = dOut < 0 ? -1 : Math.max(0, dOut - pairOut);
    o.addProperty("statsAtEndIsLastAnswer", r.s1T < 0);
    o.addProperty("hubFramesInDelta", dIn);
    o.addProperty("hubFramesOutDelta", dOut);
    o.addProperty("hubBytesInDelta", delta(r.s0, r.s1, "bytesIn"));
    o.addProperty("healthyFramesIn", pairIn);
    o.addProperty("healthyFramesOut", pairOut);
    o.addProperty("attackFramesIn", attIn);
    o.addProperty("attackFramesOut", attOut);
    o.addProperty("outPerInFrame", attIn > 0 && attOut >= 0 ? round3((double) attOut / attIn) : null);
    o.addProperty("attackerFramesSent", r.framesSent.get());
    o.addProperty("attackerBytesSent", r.bytesSent.get());
    o.addProperty("outPerAttackerFrameSent", r.framesSent.get() > 0 && attOut >= 0 ? round3((double) attOut / r.framesSent.get()) : null);
    if (r.io0 != null && r.io1 != null) {
      long rd = r.io1[0] - r.io0[0];
      long wr = r.io1[1] - r.io0[1];
      o.addProperty("hubSyscallReadBytes", rd);
      o.addProperty("hubSyscallWriteBytes", wr);
      o.addProperty("hubWritePerReadByte", rd > 0 ? round3((double) wr / rd) : null);
    }
    o.add("hubCounterDeltas", counterDeltas(r.s0, r.s1));

    // the attacker's connections
    o.add("attackerEnded", countsJson(r.outcomes));
    o.add("attackerErrorCodes", countsJson(r.errorCodes));
    o.add("details", r.extra);

    // the healthy pair
    JsonObject h = new JsonObject();
    Histogram d = r.during == null ? histogram() : r.during;
    h.addProperty("roundTrips", d.getTotalCount());
    h.addProperty("roundTripsAtFullRate", Math.round(healthyRate * secs));
    h.addProperty("failures", r.pairFail1 - r.pairFail0);
    if (d.getTotalCount() > 0) {
      h.addProperty("p50Micros", d.getValueAtPercentile(50));
      h.addProperty("p99Micros", d.getValueAtPercentile(99));
      h.addProperty("maxMicros", d.getMaxValue());
    }
    h.addProperty("longestGapWithoutRoundTripMillis", r.maxGapMillis);
    h.addProperty("closed", r.pair.closed);
    h.addProperty("errorFrames", r.pair.errorFrames.get());
    h.addProperty("lastError", r.pair.lastError());
    if (pairProblem != null) {
      h.addProperty("problem", pairProblem);
    }
    o.add("healthy", h);
    report.latency(r.attack + "/healthyDuring", d);

    // human summary
    String a = r.attack;
    report.line(String.format(Locale.ROOT, "%s (%.1f s)%s", a, secs, error == null ? "" : " broke off: " + error));
    report.line(String.format(Locale.ROOT, "  hub heap: live before %s, peak sampled %s, live under attack %s, live after %s (max %s); RSS peak %s",
        Fmt.mb(num(before, "heapUsedBytes")), Fmt.mb(heapPeak), r.live == null ? "-" : Fmt.mb(num(r.live, "heapUsedBytes")),
        after == null ? "- (no answer)" : Fmt.mb(num(after, "heapUsedBytes")), Fmt.mb(num(before, "heapMaxBytes")), Fmt.mb(rssPeak)));
    report.line(String.format(Locale.ROOT, "  hub CPU: %s (%s)", cpu < 0 ? "?" : String.format(Locale.ROOT, "%.2f s, %d%% of a core",
        cpu / 1e9, secs > 0 ? Math.round(cpu / 1e9 / secs * 100) : 0), o.get("hubCpuSource").getAsString()));
    report.line(String.format(Locale.ROOT, "  frames: attacker sent %s (%s); hub framesIn +%s framesOut +%s (healthy %d/%d): out/in %s, out per attacker frame %s%s",
        Fmt.n(r.framesSent.get()), Fmt.mb(r.bytesSent.get()), Fmt.n(dIn), Fmt.n(dOut), pairIn, pairOut,
        str(o.get("outPerInFrame")), str(o.get("outPerAttackerFrameSent")),
        o.has("hubSyscallWriteBytes") ? String.format("; hub syscalls read %s write %s",
            Fmt.mb(o.get("hubSyscallReadBytes").getAsLong()), Fmt.mb(o.get("hubSyscallWriteBytes").getAsLong())) : ""));
    report.line("  attacker ended: " + counts(r.outcomes) + (r.errorCodes.isEmpty() ? "" : "; error frames " + counts(r.errorCodes)));
    if (r.extra.size() > 0) {
      report.line("  " + r.extra);
    }
    report.line("  hub counters: " + o.get("hubCounterDeltas"));
    report.line(String.format(Locale.ROOT, "  healthy pair: %s of %d at full rate; failures %d; longest gap %d ms%s",
        Report.latencyText(d), Math.round(healthyRate * secs), r.pairFail1 - r.pairFail0, r.maxGapMillis, r.pair.closed == null ? "" : "; " + r.pair.closed));
    if (!ev.isEmpty()) {
      report.line("  events: " + String.join("; ", ev));
    }

    boolean stayedUp = ev.stream().noneMatch(e -> e.contains("stopped answering") || e.contains("exited")) && upAtEnd;
    report.check(a + ": hub kept answering /health", stayedUp, ev.isEmpty() ? "no outage" : String.join("; ", ev));
    // An attack the hub ends within a round trip or two (an eviction in 40 ms) leaves the pair no
    // time for one: only then is "no round trip" not a failure.
    boolean expectedSome = healthyRate * secs >= 2;
    report.check(a + ": healthy pair kept its round trips", pairProblem == null && r.pairFail1 - r.pairFail0 == 0
        && (d.getTotalCount() > 0 || !expectedSome),
        d.getTotalCount() + " round trips, " + (r.pairFail1 - r.pairFail0) + " failed" + (pairProblem == null ? "" : "; " + pairProblem));
    return o;
  }

  private String[] row(String a, JsonObject r) {
    JsonObject h = r.getAsJsonObject("healthy");
    String healthy = h.has("p99Micros")
        ? String.format(Locale.ROOT, "%.1fms/%d", h.get("p99Micros").getAsLong() / 1000.0, h.get("failures").getAsLong())
        : "-/" + h.get("failures").getAsLong();
    JsonElement cpu = r.get("hubCpuSeconds");
    return new String[] {
      a, Fmt.mb(r.get("heapPeakBytes").getAsLong()), Fmt.mb(r.get("heapLiveUnderAttackBytes").getAsLong()),
      cpu == null || cpu.isJsonNull() ? "?" : String.format(Locale.ROOT, "%.1fs", cpu.getAsDouble()),
      str(r.get("outPerInFrame")), healthy, r.get("attackerEnded").toString()
    };
  }

  private static String str(JsonElement e) {
    return e == null || e.isJsonNull() ? "-" : e.getAsString();
  }

  private static long delta(JsonObject s0, JsonObject s1, String f) {
    long a = num(s0, f);
    long b = num(s1, f);
    return a < 0 || b < 0 ? -1 : b - a;
  }

  private static JsonObject counterDeltas(JsonObject s0, JsonObject s1) {
    JsonObject o = new JsonObject();
    if (s0 == null || s1 == null) {
      return o;
    }
    for (Map.Entry<String, JsonElement> e : s1.entrySet()) {
      String f = e.getKey();
      if (NOT_COUNTERS.contains(f) || !e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isNumber()) {
        continue;
      }
      long d = delta(s0, s1, f);
      if (d != 0) {
        o.addProperty(f, d);
      }
    }
    if (s1.has("errorsByCode") && s1.get("errorsByCode").isJsonObject()) {
      JsonObject e1 = s1.getAsJsonObject("errorsByCode");
      JsonObject e0 = s0.has("errorsByCode") && s0.get("errorsByCode").isJsonObject() ? s0.getAsJsonObject("errorsByCode") : new JsonObject();
      JsonObject d = new JsonObject();
      for (String k : e1.keySet()) {
        long v = e1.get(k).getAsLong() - (e0.has(k) ? e0.get(k).getAsLong() : 0);
        if (v != 0) {
          d.addProperty(k, v);
        }
      }
      if (d.size() > 0) {
        o.add("errorsByCode", d);
      }
    }
    return o;
  }

  private static String counts(Map<String, AtomicLong> m) {
    if (m.isEmpty()) {
      return "{}";
    }
    StringBuilder sb = new StringBuilder("{");
    new TreeMap<>(m).forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append(": ").append(v.get()));
    return sb.append('}').toString();
  }

  private static JsonObject countsJson(Map<String, AtomicLong> m) {
    JsonObject o = new JsonObject();
    new TreeMap<>(m).forEach((k, v) -> o.addProperty(k, v.get()));
    return o;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private URI wsUri() {
    return URI.create(hub.wsUrl());
  }

  // ------------------------------------------------------------------------------ WebSocket attackers

  /** An attacking peer: releases its connect permit once (ready or closed) and tallies how it ended. */
  class Attacker implements Peer.Handler {
    final Run r;
    final Semaphore permits;
    final CountDownLatch settled;
    final AtomicLong framesReceived = new AtomicLong();

    Attacker(Run r, Semaphore permits, CountDownLatch settled) {
      this.r = r;
      this.permits = permits;
      this.settled = settled;
    }

    void done(Peer p) {
      AtomicBoolean once = (AtomicBoolean) p.state;
      if (once != null && once.compareAndSet(false, true)) {
        if (permits != null) {
          permits.release();
        }
        if (settled != null) {
          settled.countDown();
        }
      }
    }

    @Override
    public void onReady(Peer p) {
      done(p);
    }

    @Override
    public void onFrame(Peer p, int type, byte[] b, int off, int len) {
      framesReceived.incrementAndGet();
      if (type == Bytes.ERROR) {
        r.error(Bytes.stringAfter(b, off, len, Bytes.CODE_KEY));
      }
    }

    @Override
    public void onClosed(Peer p, int code, String reason, boolean remote) {
      done(p);
      if (!r.stopping) {
        r.outcome("close " + code + (reason == null || reason.isEmpty() || code == 1006 ? "" : " " + reason));
      }
    }
  }

  /** Connects peers with at most {@code concurrency} handshakes in flight, within the attack's time. */
  private void connectAll(BooleanSupplier keepGoing, List<Peer> peers, WsEngine eng, Semaphore permits)
      throws InterruptedException {
    for (Peer p : peers) {
      p.state = new AtomicBoolean();
      while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        if (!keepGoing.getAsBoolean()) {
          return;
        }
      }
      p.connect(eng, hub.wsUrl());
    }
  }

  /** Peers still open when the attack ends count as "still open"; then they are closed. */
  private void closeAll(Run r, List<Peer> peers) {
    for (Peer p : peers) {
      if (p.isOpen()) {
        r.outcome("still open");
      }
    }
    r.stopping = true;
    for (Peer p : peers) {
      p.close();
    }
  }

  private void announceTree(Run r) throws Exception {
    int per = treeElement.length() + 1;
    String net0 = "abuse-" + tag + "-tree";
    String head = "{\"type\":\"announce\",\"networkName\":\"" + net0 + "-0000\",\"data\":{\"t\":[";
    String tail = "]}}";
    int n = Math.max(1, (treeBytes - head.length() - tail.length() + 1) / per);
    StringBuilder body = new StringBuilder(n * per);
    for (int i = 0; i < n; i++) {
      body.append(i == 0 ? "" : ",").append(treeElement);
    }
    String elements = body.toString();
    int frameLen = head.length() + elements.length() + tail.length();
    r.extra.addProperty("frameBytes", frameLen);
    r.extra.addProperty("elementsPerFrame", n);
    r.extra.addProperty("networks", treeSharedNetwork ? 1 : connections);
    Semaphore permits = new Semaphore(32);
    CountDownLatch settled = new CountDownLatch(connections);
    AtomicInteger announced = new AtomicInteger();
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      String net = net0 + "-" + String.format(Locale.ROOT, "%04d", treeSharedNetwork ? 0 : i);
      byte[] frame = ("{\"type\":\"announce\",\"networkName\":\"" + net + "\",\"data\":{\"t\":[" + elements + tail)
          .getBytes(StandardCharsets.UTF_8);
      peers.add(new Peer(i, net, false, new Attacker(r, permits, settled) {
        @Override
        public void onReady(Peer p) {
          if (p.send(frame)) {
            r.framesSent.incrementAndGet();
            r.bytesSent.addAndGet(frame.length);
            announced.incrementAndGet();
          }
          super.onReady(p);
        }
      }));
    }
    r.begin();
    try {
      connectAll(r::running, peers, engine, permits);
      boolean all = settled.await(Math.max(1, (long) ((r.attackEnd() - sampler.now()) * 1000)), TimeUnit.MILLISECONDS);
      r.extra.addProperty("announced", announced.get());
      r.extra.addProperty("allConnectedInTime", all);
      hold(Math.max(0, r.attackEnd() - sampler.now()));
      r.liveUnderAttack();
      r.end();
    } finally {
      closeAll(r, peers);
    }
  }

  private void topicHog(Run r) throws Exception {
    Semaphore permits = new Semaphore(64);
    CountDownLatch settled = new CountDownLatch(hogPeers);
    AtomicLong acks = new AtomicLong();
    AtomicLong answered = new AtomicLong();
    long expected = (long) hogPeers * hogTopics;
    List<Peer> peers = new ArrayList<>();
    try (WsEngine hog = new WsEngine(1, hogAddress, 1)) {
      for (int i = 0; i < hogPeers; i++) {
        final int k = i;
        peers.add(new Peer(i, "global", false, new Attacker(r, permits, settled) {
          @Override
          public void onReady(Peer p) {
            for (int j = 0; j < hogTopics; j++) {
              String f = "{\"type\":\"subscribe\",\"id\":\"s" + j + "\",\"topic\":\"hog-" + tag + "-" + k + "-" + j + "\"}";
              if (p.send(f)) {
                r.framesSent.incrementAndGet();
                r.bytesSent.addAndGet(f.length());
              }
            }
            super.onReady(p);
          }

          @Override
          public void onFrame(Peer p, int type, byte[] b, int off, int len) {
            super.onFrame(p, type, b, off, len);
            if (type == Bytes.ACK) {
              acks.incrementAndGet();
              answered.incrementAndGet();
            } else if (type == Bytes.ERROR) {
              answered.incrementAndGet();
            }
          }
        }));
      }
      r.begin();
      try {
        connectAll(r::running, peers, hog, permits);
        settled.await(Math.max(1, (long) ((r.attackEnd() - sampler.now()) * 1000)), TimeUnit.MILLISECONDS);
        long connected = peers.stream().filter(Peer::isOpen).count();
        awaitHub(() -> answered.get() >= connected * hogTopics || !r.running(), (long) Math.max(1, (r.attackEnd() - sampler.now()) * 1000));
        r.extra.addProperty("hogPeersConnected", connected);
        r.extra.addProperty("subscribesSent", r.framesSent.get());
        r.extra.addProperty("subscribesAcked", acks.get());
        r.extra.addProperty("subscribesExpected", expected);
        JsonObject s = stats();
        r.extra.addProperty("hubTopics", num(s, "topics"));
        r.extra.addProperty("hubSubscriptions", num(s, "subscriptions"));
        // Can someone else still subscribe? A fresh peer from another address tries one new topic.
        r.extra.addProperty("probeSubscribe", probeSubscribe(engine, "hog-" + tag + "-probe"));
        // And a peer from the hog's own address: is that address capped?
        r.extra.addProperty("probeFromHogAddress", probeConnect(hog));
        r.extra.addProperty("filledAfterSeconds", round3(sampler.now() - r.t0));
        hold(Math.max(0, r.attackEnd() - sampler.now())); // the hub holds the topics; the healthy pair goes on
        r.liveUnderAttack();
        r.end();
      } finally {
        closeAll(r, peers);
        awaitHub(() -> hog.live() == 0, 5_000);
      }
    }
  }

  /** A new peer subscribes to a new topic: "ack", the error code it got, or what stopped it. */
  private String probeSubscribe(WsEngine eng, String topic) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    String[] result = {"no answer within 5 s"};
    Peer p = new Peer(-1, "global", false, new Peer.Handler() {
      @Override
      public void onReady(Peer q) {
        q.send("{\"type\":\"subscribe\",\"id\":\"probe\",\"topic\":\"" + topic + "\"}");
      }

      @Override
      public void onFrame(Peer q, int type, byte[] b, int off, int len) {
        if (type == Bytes.ACK) {
          result[0] = "ack";
          done.countDown();
        } else if (type == Bytes.ERROR) {
          result[0] = String.valueOf(Bytes.stringAfter(b, off, len, Bytes.CODE_KEY));
          done.countDown();
        }
      }

      @Override
      public void onClosed(Peer q, int code, String reason, boolean remote) {
        if (done.getCount() > 0) {
          result[0] = "closed " + code + " " + reason;
          done.countDown();
        }
      }
    }).connect(eng, hub.wsUrl());
    done.await(5, TimeUnit.SECONDS);
    p.close();
    return result[0];
  }

  /** A new peer connects: "connected" or how it was refused. */
  private String probeConnect(WsEngine eng) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    String[] result = {"no answer within 5 s"};
    Peer p = new Peer(-1, "global", false, new Peer.Handler() {
      @Override
      public void onReady(Peer q) {
        result[0] = "connected";
        done.countDown();
      }

      @Override
      public void onClosed(Peer q, int code, String reason, boolean remote) {
        if (done.getCount() > 0) {
          result[0] = "closed " + code + " " + reason;
          done.countDown();
        }
      }
    }).connect(eng, hub.wsUrl());
    done.await(5, TimeUnit.SECONDS);
    p.close();
    return result[0];
  }

  private void announceFlip(Run r) throws Exception {
    String netA = "abuse-" + tag + "-flipA";
    String netB = "abuse-" + tag + "-flipB";
    Semaphore permits = new Semaphore(64);
    CountDownLatch settled = new CountDownLatch(members);
    AtomicLong memberFrames = new AtomicLong();
    AtomicLong memberClosed = new AtomicLong();
    Map<String, AtomicLong> memberCloses = new ConcurrentHashMap<>();
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      peers.add(new Peer(i, i % 2 == 0 ? netA : netB, true, new Attacker(r, permits, settled) {
        @Override
        public void onFrame(Peer p, int type, byte[] b, int off, int len) {
          memberFrames.incrementAndGet();
        }

        @Override
        public void onClosed(Peer p, int code, String reason, boolean remote) {
          done(p);
          if (!r.stopping) { // the members are bystanders, not the attacker: their closes are kept apart
            memberClosed.incrementAndGet();
            memberCloses.computeIfAbsent("close " + code, c -> new AtomicLong()).incrementAndGet();
          }
        }
      }));
    }
    List<Peer> attackers = new ArrayList<>();
    AtomicLong attackerFrames = new AtomicLong();
    AtomicLong rateLimited = new AtomicLong();
    try {
      connectAll(() -> !pastDeadline(), peers, engine, permits);
      if (!settled.await(Math.min(60_000, remainingMillis()), TimeUnit.MILLISECONDS)) {
        report.note("announce-flip: " + settled.getCount() + " members not connected in time");
      }
      // Let the members' own discovery traffic pass before measuring.
      awaitHub(() -> false, 1_500);
      long connected = peers.stream().filter(Peer::isOpen).count();
      r.extra.addProperty("membersConnected", connected);
      byte[] toA = ("{\"type\":\"announce\",\"networkName\":\"" + netA + "\"}").getBytes(StandardCharsets.UTF_8);
      byte[] toB = ("{\"type\":\"announce\",\"networkName\":\"" + netB + "\"}").getBytes(StandardCharsets.UTF_8);
      CountDownLatch ready = new CountDownLatch(1);
      Peer flipper = new Peer(-1, netA, false, new Attacker(r, null, null) {
        @Override
        public void onReady(Peer p) {
          ready.countDown();
        }

        @Override
        public void onFrame(Peer p, int type, byte[] b, int off, int len) {
          attackerFrames.incrementAndGet();
          if (type == Bytes.ERROR && "RATE_LIMITED".equals(Bytes.stringAfter(b, off, len, Bytes.CODE_KEY))) {
            rateLimited.incrementAndGet();
          }
          super.onFrame(p, type, b, off, len);
        }
      });
      flipper.state = new AtomicBoolean();
      attackers.add(flipper);
      flipper.connect(engine, hub.wsUrl());
      if (!ready.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the flipping peer did not connect");
      }
      long m0 = memberFrames.get();
      long a0 = attackerFrames.get();
      r.begin(); // members connected before the window opens: their own traffic is not the attack's
      long interval = (long) (1e9 / flipRate);
      long next = System.nanoTime();
      boolean toNetA = true;
      while (r.running() && flipper.isOpen()) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait); // pacing under the rate limit
        }
        next += interval;
        byte[] f = toNetA ? toA : toB;
        toNetA = !toNetA;
        if (flipper.send(f)) {
          r.framesSent.incrementAndGet();
          r.bytesSent.addAndGet(f.length);
        }
      }
      long m1 = memberFrames.get();
      long a1 = attackerFrames.get();
      r.liveUnderAttack();
      r.end();
      long sent = r.framesSent.get();
      r.extra.addProperty("membersReceivedDuringFlip", m1 - m0);
      r.extra.addProperty("attackerReceivedDuringFlip", a1 - a0);
      r.extra.addProperty("rateLimitedFrames", rateLimited.get());
      r.extra.addProperty("membersClosedDuringFlip", memberClosed.get());
      r.extra.add("membersClosedBy", countsJson(memberCloses));
      r.extra.addProperty("receivedPerAnnounceClientSide", sent > 0 ? round3((double) (m1 - m0 + a1 - a0) / sent) : null);
    } finally {
      closeAll(r, attackers);
      for (Peer p : peers) {
        p.close();
      }
    }
  }

  // ------------------------------------------------------------------------------ raw-socket attackers

  /**
   * ping-flood (opcode 9) and binary-flood (opcode 2): a socket that completed its handshake and
   * never reads again writes tiny masked frames as fast as the kernel takes them.
   */
  private void rawFlood(Run r, int opcode, byte[] payload) throws Exception {
    byte[] buf = RawSockets.maskedFrames(opcode, payload, Math.max(1, 65_536 / (6 + payload.length)));
    int perWrite = buf.length / (6 + payload.length);
    r.extra.addProperty("frameBytes", 6 + payload.length);
    r.extra.addProperty("rcvbuf", rcvbuf);
    AtomicLong blockedSince = new AtomicLong();
    List<Double> closedAfter = new ArrayList<>();
    int connectionsMade = 0;
    r.begin();
    do {
      Socket s = RawSockets.open(wsUri(), RAW_FIRST + connectionsMade % RAW_ADDRESSES, rcvbuf);
      connectionsMade++;
      String status = RawSockets.handshake(s, wsUri(), PeerIds.random());
      if (!RawSockets.is101(status)) {
        r.outcome("refused " + RawSockets.statusCode(status));
        RawSockets.closeQuietly(s);
        if (!reconnect) {
          break;
        }
        hold(0.2);
        continue;
      }
      double start = sampler.now();
      String[] failure = {null};
      double[] failedAt = {-1};
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          while (r.running()) {
            out.write(buf);
            r.framesSent.addAndGet(perWrite);
            r.bytesSent.addAndGet(buf.length);
            blockedSince.set(System.nanoTime());
          }
        } catch (IOException e) {
          failure[0] = RawSockets.outcomeOf(e);
          failedAt[0] = sampler.now();
        }
      }, "raw-flooder");
      writer.setDaemon(true);
      blockedSince.set(System.nanoTime());
      writer.start();
      writer.join(Math.max(1, (long) ((r.attackEnd() - sampler.now()) * 1000)));
      boolean hubEnded = failure[0] != null && !"closed by the tool".equals(failure[0]);
      if (!hubEnded || !reconnect || !r.running()) {
        // the attack's end: measure while the socket (and whatever the hub holds for it) still exists
        long blockedMs = (System.nanoTime() - blockedSince.get()) / 1_000_000;
        r.extra.addProperty("lastWriteBlockedMillis", writer.isAlive() ? blockedMs : 0);
        r.liveUnderAttack();
        r.end();
      }
      r.stopping = !reconnect || !r.running();
      String drained = RawSockets.drainOutcome(s, 2_000, 256L << 20);
      String outcome = drained.startsWith("close") ? drained : hubEnded ? failure[0] : drained;
      if (hubEnded || !"still open".equals(outcome)) {
        closedAfter.add(round3((failedAt[0] >= 0 ? failedAt[0] : sampler.now()) - start));
      }
      r.outcome(outcome);
      RawSockets.closeQuietly(s);
      writer.join(2_000);
    } while (reconnect && r.running());
    r.extra.addProperty("connections", connectionsMade);
    r.extra.add("secondsUntilEnded", Report.toJson(closedAfter.toString()));
  }

  /** header-flood: sockets send an upgrade request whose header line never ends, bytes as fast as they can. */
  private void headerFlood(Run r) throws Exception {
    byte[] chunk = new byte[16_384];
    Arrays.fill(chunk, (byte) 'a');
    AtomicInteger made = new AtomicInteger();
    List<Double> endedAfter = Collections.synchronizedList(new ArrayList<>());
    List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    r.begin();
    for (int i = 0; i < headerSockets; i++) {
      final int k = i;
      Thread t = new Thread(() -> {
        do {
          Socket s = null;
          AtomicReference<String> answer = new AtomicReference<>();
          try {
            s = RawSockets.open(wsUri(), RAW_FIRST + (k + made.getAndIncrement()) % RAW_ADDRESSES, 0);
            open.add(s);
            double start = sampler.now();
            Socket sock = s;
            Thread reader = new Thread(() -> answer.set(RawSockets.drainHttpOutcome(sock, 600_000)), "header-reader");
            reader.setDaemon(true);
            reader.start();
            OutputStream out = s.getOutputStream();
            byte[] head = (RawSockets.upgradeHead(wsUri(), PeerIds.random()) + "X-Flood: ").getBytes(StandardCharsets.ISO_8859_1);
            out.write(head);
            r.bytesSent.addAndGet(head.length);
            String failure = null;
            try {
              while (r.running() && answer.get() == null) {
                out.write(chunk);
                r.bytesSent.addAndGet(chunk.length);
              }
            } catch (IOException e) {
              failure = RawSockets.outcomeOf(e);
            }
            if (failure != null) {
              reader.join(500);
              endedAfter.add(round3(sampler.now() - start));
            }
            String a = answer.get();
            if (a == null && failure == null) {
              // the attack's end while the socket is open: the main thread measures, then closes it
              r.outcome("still open");
              return;
            }
            if ("closed by the tool".equals(failure) && (a == null || a.equals(failure))) {
              r.outcome("still open"); // blocked in write() until the tool closed it at the attack's end
              return;
            }
            r.outcome(a != null && !a.equals("closed by the tool") ? a : failure);
            if (a != null && failure == null) {
              endedAfter.add(round3(sampler.now() - start));
            }
          } catch (IOException | InterruptedException e) {
            r.outcome("connect failed: " + (e instanceof IOException io ? RawSockets.outcomeOf(io) : e));
          } finally {
            if (s != null && !r.running()) {
              // left for the main thread to close after measuring
            } else {
              RawSockets.closeQuietly(s);
            }
          }
        } while (reconnect && r.running());
      }, "header-flooder-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    hold(Math.max(0, r.attackEnd() - sampler.now()));
    long joinEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1); // writers blocked in write() stay blocked
    for (Thread t : threads) {
      t.join(Math.max(1, (joinEnd - System.nanoTime()) / 1_000_000));
    }
    r.liveUnderAttack();
    r.end();
    r.stopping = true;
    synchronized (open) {
      open.forEach(RawSockets::closeQuietly);
    }
    r.extra.addProperty("connections", made.get());
    Collections.sort(endedAfter);
    r.extra.addProperty("hubEndedConnections", endedAfter.size());
    if (!endedAfter.isEmpty()) {
      r.extra.addProperty("secondsUntilEndedMin", endedAfter.get(0));
      r.extra.addProperty("secondsUntilEndedMax", endedAfter.get(endedAfter.size() - 1));
    }
  }

  /** reset-race: complete the handshake, reset at once (SO_LINGER 0), N times, K at a time; then the peers gauge. */
  private void resetRace(Run r) throws Exception {
    AtomicInteger next = new AtomicInteger();
    long peersBefore = num(stats(), "peers");
    r.begin();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < resetConcurrency; i++) {
      Thread t = new Thread(() -> {
        int k;
        while ((k = next.getAndIncrement()) < resets && r.running()) {
          Socket s = null;
          try {
            s = RawSockets.open(wsUri(), RAW_FIRST + k % RAW_ADDRESSES, 0);
            String status = RawSockets.handshake(s, wsUri(), PeerIds.random());
            r.framesSent.incrementAndGet(); // one handshake
            r.outcome(RawSockets.is101(status) ? "101 then reset by the tool" : "refused " + RawSockets.statusCode(status));
            RawSockets.reset(s);
            s = null;
          } catch (IOException e) {
            r.outcome("failed: " + RawSockets.outcomeOf(e));
          } finally {
            RawSockets.closeQuietly(s);
          }
        }
      }, "resetter-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join(Math.max(1, (long) ((r.attackEnd() - sampler.now()) * 1000) + 5_000));
    }
    double burstEnd = sampler.now();
    r.extra.addProperty("handshakes", r.framesSent.get());
    r.extra.addProperty("burstSeconds", round3(burstEnd - r.t0));
    r.extra.addProperty("hubPeersBefore", peersBefore);
    r.extra.addProperty("hubPeersRightAfter", num(stats(), "peers"));
    long healthy = peersBefore; // the healthy pair (and nothing else of ours) was connected before
    boolean settledOk = awaitHub(() -> num(stats(), "peers") >= 0 && num(stats(), "peers") <= healthy, (long) (settleTimeout * 1000));
    JsonObject s = stats();
    r.extra.addProperty("hubPeersAfterSettle", num(s, "peers"));
    r.extra.addProperty("settledWithinSeconds", settledOk ? round3(sampler.now() - burstEnd) : null);
    r.extra.addProperty("settleTimeoutSeconds", settleTimeout);
    r.liveUnderAttack();
    r.end();
    report.check("reset-race: peers gauge back to the healthy pair within " + settleTimeout + " s", settledOk,
        "peers " + num(s, "peers") + ", expected " + healthy);
  }
}
