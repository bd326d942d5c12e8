package dev.loft.stress;

import com.google.gson.JsonObject;
import dev.loft.stress.ws.WsEngine;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What one attack did, filled by its body. The attack proper is a {@link Window} from
 * {@link #begin} to {@link #end}: /stats, the hub's CPU and I/O from /proc, and the healthy
 * pair's own frames at both ends, so that its traffic can be told from the attacker's.
 */
final class AbuseRun {
  final AbuseScenario scenario;
  final String attack;
  final HealthyPair pair;
  private final double duration;
  final KeyedCounts outcomes = new KeyedCounts();
  final KeyedCounts errorCodes = new KeyedCounts();
  final AtomicLong framesSent = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final JsonObject extra = new JsonObject();
  volatile boolean stopping;

  final Window window;
  final Window.Count cpu;
  final Window.Count ioRead;
  final Window.Count ioWrite;
  final Window.Count pairIn;
  final Window.Count pairOut;
  final Window.Count pairFailures;
  JsonObject s0;
  /** /stats at the end, or the last answer the hub gave if it gave none then. */
  JsonObject s1;
  boolean statsAtEndIsLastAnswer;
  Histogram during;
  long maxGapMillis;
  /** Live heap (after a GC) while the attacker still held what it made the hub keep. */
  JsonObject live;

  AbuseRun(AbuseScenario scenario, String attack, HealthyPair pair, double duration) {
    this.scenario = scenario;
    this.attack = attack;
    this.pair = pair;
    this.duration = duration;
    window = new Window(scenario);
    cpu = window.count(() -> scenario.proc.cpuNanos());
    ioRead = window.count(() -> io(0));
    ioWrite = window.count(() -> io(1));
    pairIn = window.count(pair.framesSent::get);
    pairOut = window.count(pair.framesReceived::get);
    pairFailures = window.count(pair.failures::get);
  }

  private long io(int which) {
    long[] io = scenario.proc.io();
    return io == null ? -1 : io[which];
  }

  void outcome(String what) {
    outcomes.add(what);
  }

  void error(String code) {
    errorCodes.add(String.valueOf(code));
  }

  /** The attack proper starts: counters, CPU and the healthy pair's "during" period. */
  void begin() throws Exception {
    if (window.opened()) {
      return;
    }
    window.open(attack, Window.Stats.PLAIN);
    s0 = window.start();
    pair.swap();
    pair.resetGap();
  }

  /** The attack proper ends (before the attacker's sockets are closed). */
  void end() throws Exception {
    if (window.closed() || !window.opened()) {
      return;
    }
    maxGapMillis = pair.maxGapMillis();
    during = pair.swap();
    window.close(attack + " over", Window.Stats.PLAIN);
    statsAtEndIsLastAnswer = window.end() == null;
    s1 = statsAtEndIsLastAnswer ? scenario.sampler.latest() : window.end();
  }

  /** Live heap (a full GC in the hub) while the attacker still holds what it made the hub keep. */
  void liveUnderAttack() {
    live = scenario.statsGcQuiet();
  }

  /** When the attack proper began, in seconds of the run. */
  double t0() {
    return window.startT();
  }

  double attackEnd() {
    return t0() + duration;
  }

  boolean running() {
    return !stopping && now() < attackEnd() && !scenario.pastDeadline();
  }

  double now() {
    return scenario.sampler.now();
  }

  /** Milliseconds until the attack's end, at least 1 (a bound for waits). */
  long millisToEnd() {
    return Math.max(1, (long) ((attackEnd() - now()) * 1000));
  }

  /** Waits out the attack (the hub holds what the attacker made it keep; the healthy pair goes on). */
  void holdToEnd() throws InterruptedException {
    scenario.hold(Math.max(0, attackEnd() - now()));
  }

  WsEngine engine() {
    return scenario.engine;
  }

  String wsUrl() {
    return scenario.hub.wsUrl();
  }

  URI wsUri() {
    return URI.create(wsUrl());
  }
}
