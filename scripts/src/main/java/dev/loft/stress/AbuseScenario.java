package dev.loft.stress;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import dev.loft.stress.ws.Frames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * abuse: the attacks of the issue "bounded by construction", from one client machine, one per
 * run (or all in turn), each with what it cost the hub: heap (sampled and live), CPU, frames and
 * bytes in and out, how the attacker's connections ended, and whether a healthy pair of peers kept
 * doing round trips meanwhile. Checks say whether the hub stayed bounded; a hub that dies or stops
 * answering is reported, not a crash of the tool. Each attack is a class of its own
 * ({@link Attack}); {@link AbuseRun} measures it, {@link AbuseFigures} reports it.
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

  // The attacks' own options, in this order in the report's params.
  @Mixin AnnounceTreeAttack announceTree = new AnnounceTreeAttack();
  @Mixin FloodAttackOptions floods = new FloodAttackOptions();
  @Mixin TopicHogAttack topicHog = new TopicHogAttack();
  @Mixin AnnounceFlipAttack announceFlip = new AnnounceFlipAttack();
  @Mixin ResetRaceAttack resetRace = new ResetRaceAttack();

  /** The hub's process, as far as known; a new one after each restart. */
  HubProc proc;
  private AbuseFigures figures;

  @Override
  String name() {
    return "abuse";
  }

  @Override
  int defaultSampleMillis() {
    return 250;
  }

  @Override
  void run() throws Exception {
    List<String> todo = attack.equalsIgnoreCase("all") ? ATTACKS : List.of(attack.toLowerCase(Locale.ROOT));
    for (String a : todo) {
      if (!ATTACKS.contains(a)) {
        throw new IllegalArgumentException("--attack must be one of " + ATTACKS + " or all, not " + a);
      }
    }
    topicHog.checkAddress(common.sourceAddresses);
    proc = new HubProc(hub.pid() > 0 ? hub.pid() : hubPid);
    report.hub("pid", proc.pid);
    report.hub("cpuSource", proc.known() ? "/stats processCpuNanos, else /proc/" + proc.pid + "/stat" : "/stats processCpuNanos");
    JsonObject first = stats();
    report.hub("maxFrameBytes", "262144 unless the hub was started with --max-frame-bytes");
    if (first != null) {
      report.hub("heapMaxBytes", num(first, Stat.HEAP_MAX_BYTES));
    }
    HubWatch watch = new HubWatch(admin, () -> proc, sampler);
    figures = new AbuseFigures(this, watch, healthyRate);
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
        rows.add(AbuseFigures.row(a, r));
      }
    } finally {
      watch.stop();
    }
    report.line("");
    report.line(String.format("%-14s %9s %9s %9s %11s %10s  %s", "attack", "heap peak", "live/att", "hub CPU", "out/in", "healthy", "attacker ended"));
    for (String[] row : rows) {
      report.line(String.format("%-14s %9s %9s %9s %11s %10s  %s", (Object[]) row));
    }
  }

  private Attack attack(String a) {
    return switch (a) {
      case "announce-tree" -> announceTree;
      case "ping-flood" -> new RawFloodAttack(Frames.PING, new byte[floods.pingPayload], floods);
      case "binary-flood" -> new RawFloodAttack(Frames.BINARY, "x".repeat(floods.binaryPayload).getBytes(StandardCharsets.US_ASCII), floods);
      case "header-flood" -> new HeaderFloodAttack(floods);
      case "topic-hog" -> topicHog;
      case "announce-flip" -> announceFlip;
      case "reset-race" -> resetRace;
      default -> throw new IllegalArgumentException(a);
    };
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

  private JsonObject runAttack(String a) throws Exception {
    JsonObject before = statsGcQuiet();
    HealthyPair pair = new HealthyPair(engine, hub.wsUrl(), "abuse-" + tag + "-ok-" + a, healthyRate, healthyTimeoutMs);
    AbuseRun r = new AbuseRun(this, a, pair, duration);
    String pairProblem = null;
    if (!pair.start(20_000)) {
      pairProblem = pair.why();
      report.note(a + ": " + pairProblem);
    } else {
      hold(1.0); // a second of round trips before the attack
    }
    status(() -> String.format("%s: attacker frames %s, bytes %s, ended %s | healthy rt %s fail %d",
        a, Fmt.n(r.framesSent.get()), Fmt.mb(r.bytesSent.get()), r.outcomes, Fmt.n(pair.roundTrips.get()),
        pair.failures.get()));
    String error = null;
    try {
      attack(a).run(r);
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
    return figures.summarize(r, before, after, tAfter, error, pairProblem);
  }

  /** /stats after a GC, or null: a hub that stops answering under attack is a finding, not an error. */
  JsonObject statsGcQuiet() {
    try {
      return statsGc();
    } catch (Exception e) {
      return null;
    }
  }
}
