package dev.loft.stress;

import static dev.loft.stress.AdminClient.num;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.loft.server.stats.HubStats;
import dev.loft.server.stats.Stat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** What each abuse attack cost the hub, from its {@link AbuseRun}: figures, summary lines and checks. */
final class AbuseFigures {

  private final AbuseScenario scenario;
  private final Report report;
  private final StatsSampler sampler;
  private final HubWatch watch;
  private final double healthyRate;

  AbuseFigures(AbuseScenario scenario, HubWatch watch, double healthyRate) {
    this.scenario = scenario;
    this.report = scenario.report;
    this.sampler = scenario.sampler;
    this.watch = watch;
    this.healthyRate = healthyRate;
  }

  /**
   * The figures of one attack (results.<attack>), its lines of the summary, and its checks: the hub
   * kept answering /health, the healthy pair kept its round trips.
   */
  JsonObject summarize(AbuseRun r, JsonObject before, JsonObject after, double tAfter, String error, String pairProblem) {
    JsonObject o = new JsonObject();
    double secs = r.window.seconds();
    o.addProperty("seconds", Fmt.round3(secs));
    o.addProperty("startedAtT", Fmt.round3(r.t0()));
    if (error != null) {
      o.addProperty("error", error);
    }
    List<String> ev = watch.between(r.t0() - 1, tAfter);
    o.add("events", Report.toJson(String.join("; ", ev)));
    boolean upAtEnd = after != null || scenario.admin.healthy();
    o.addProperty("hubAnswersAfter", upAtEnd);

    // heap
    long heapPeak = sampler.max(Stat.HEAP_USED_BYTES, r.t0());
    long rssPeak = sampler.max(Stat.RSS_BYTES, r.t0());
    o.addProperty("heapLiveBeforeBytes", num(before, Stat.HEAP_USED_BYTES));
    o.addProperty("heapPeakBytes", heapPeak);
    o.addProperty("heapLiveUnderAttackBytes", r.live == null ? -1 : num(r.live, Stat.HEAP_USED_BYTES));
    o.addProperty("heapLiveAfterBytes", num(after, Stat.HEAP_USED_BYTES));
    o.addProperty("heapMaxBytes", num(before, Stat.HEAP_MAX_BYTES));
    o.addProperty("rssPeakBytes", rssPeak);

    // CPU
    long statsCpu = num(r.s1, Stat.PROCESS_CPU_NANOS) >= 0 && num(r.s0, Stat.PROCESS_CPU_NANOS) >= 0 && !r.statsAtEndIsLastAnswer
        ? num(r.s1, Stat.PROCESS_CPU_NANOS) - num(r.s0, Stat.PROCESS_CPU_NANOS) : -1;
    long procCpu = r.cpu.atOpen() >= 0 && r.cpu.atClose() >= 0 ? r.cpu.delta() : -1;
    long cpu = statsCpu >= 0 ? statsCpu : procCpu;
    o.addProperty("hubCpuSeconds", cpu < 0 ? null : Fmt.round3(cpu / 1e9));
    o.addProperty("hubCpuPercentOfOneCore", cpu < 0 || secs <= 0 ? null : Math.round(cpu / 1e9 / secs * 100));
    o.addProperty("hubCpuSource", statsCpu >= 0 ? "/stats" : procCpu >= 0 ? "/proc/" + scenario.proc.pid + "/stat" : "none");

    // frames and bytes
    long dIn = delta(r.s0, r.s1, Stat.FRAMES_IN);
    long dOut = delta(r.s0, r.s1, Stat.FRAMES_OUT);
    long pairIn = r.pairIn.delta();
    long pairOut = r.pairOut.delta();
    long attIn = dIn < 0 ? -1 : Math.max(0, dIn - pairIn);
    long attOut = dOut < 0 ? -1 : Math.max(0, dOut - pairOut);
    o.addProperty("statsAtEndIsLastAnswer", r.statsAtEndIsLastAnswer);
    o.addProperty("hubFramesInDelta", dIn);
    o.addProperty("hubFramesOutDelta", dOut);
    o.addProperty("hubBytesInDelta", delta(r.s0, r.s1, Stat.BYTES_IN));
    o.addProperty("healthyFramesIn", pairIn);
    o.addProperty("healthyFramesOut", pairOut);
    o.addProperty("attackFramesIn", attIn);
    o.addProperty("attackFramesOut", attOut);
    o.addProperty("outPerInFrame", attIn > 0 && attOut >= 0 ? Fmt.round3((double) attOut / attIn) : null);
    o.addProperty("attackerFramesSent", r.framesSent.get());
    o.addProperty("attackerBytesSent", r.bytesSent.get());
    o.addProperty("outPerAttackerFrameSent", r.framesSent.get() > 0 && attOut >= 0 ? Fmt.round3((double) attOut / r.framesSent.get()) : null);
    if (r.ioRead.atOpen() >= 0 && r.ioRead.atClose() >= 0 && r.ioWrite.atOpen() >= 0 && r.ioWrite.atClose() >= 0) {
      long rd = r.ioRead.delta();
      long wr = r.ioWrite.delta();
      o.addProperty("hubSyscallReadBytes", rd);
      o.addProperty("hubSyscallWriteBytes", wr);
      o.addProperty("hubWritePerReadByte", rd > 0 ? Fmt.round3((double) wr / rd) : null);
    }
    o.add("hubCounterDeltas", counterDeltas(r.s0, r.s1));

    // the attacker's connections
    o.add("attackerEnded", r.outcomes.json());
    o.add("attackerErrorCodes", r.errorCodes.json());
    o.add("details", r.extra);

    // the healthy pair
    JsonObject h = new JsonObject();
    Histogram d = r.during == null ? Scenario.histogram() : r.during;
    h.addProperty("roundTrips", d.getTotalCount());
    h.addProperty("roundTripsAtFullRate", Math.round(healthyRate * secs));
    h.addProperty("failures", r.pairFailures.delta());
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
        Fmt.mb(num(before, Stat.HEAP_USED_BYTES)), Fmt.mb(heapPeak), r.live == null ? "-" : Fmt.mb(num(r.live, Stat.HEAP_USED_BYTES)),
        after == null ? "- (no answer)" : Fmt.mb(num(after, Stat.HEAP_USED_BYTES)), Fmt.mb(num(before, Stat.HEAP_MAX_BYTES)), Fmt.mb(rssPeak)));
    report.line(String.format(Locale.ROOT, "  hub CPU: %s (%s)", cpu < 0 ? "?" : String.format(Locale.ROOT, "%.2f s, %d%% of a core",
        cpu / 1e9, secs > 0 ? Math.round(cpu / 1e9 / secs * 100) : 0), o.get("hubCpuSource").getAsString()));
    report.line(String.format(Locale.ROOT, "  frames: attacker sent %s (%s); hub framesIn +%s framesOut +%s (healthy %d/%d): out/in %s, out per attacker frame %s%s",
        Fmt.n(r.framesSent.get()), Fmt.mb(r.bytesSent.get()), Fmt.n(dIn), Fmt.n(dOut), pairIn, pairOut,
        str(o.get("outPerInFrame")), str(o.get("outPerAttackerFrameSent")),
        o.has("hubSyscallWriteBytes") ? String.format("; hub syscalls read %s write %s",
            Fmt.mb(o.get("hubSyscallReadBytes").getAsLong()), Fmt.mb(o.get("hubSyscallWriteBytes").getAsLong())) : ""));
    report.line("  attacker ended: " + r.outcomes + (r.errorCodes.isEmpty() ? "" : "; error frames " + r.errorCodes));
    if (r.extra.size() > 0) {
      report.line("  " + r.extra);
    }
    report.line("  hub counters: " + o.get("hubCounterDeltas"));
    report.line(String.format(Locale.ROOT, "  healthy pair: %s of %d at full rate; failures %d; longest gap %d ms%s",
        Report.latencyText(d), Math.round(healthyRate * secs), r.pairFailures.delta(), r.maxGapMillis, r.pair.closed == null ? "" : "; " + r.pair.closed));
    if (!ev.isEmpty()) {
      report.line("  events: " + String.join("; ", ev));
    }

    boolean stayedUp = ev.stream().noneMatch(e -> e.contains("stopped answering") || e.contains("exited")) && upAtEnd;
    report.check(a + ": hub kept answering /health", stayedUp, ev.isEmpty() ? "no outage" : String.join("; ", ev));
    // An attack the hub ends within a round trip or two (an eviction in 40 ms) leaves the pair no
    // time for one: only then is "no round trip" not a failure.
    boolean expectedSome = healthyRate * secs >= 2;
    report.check(a + ": healthy pair kept its round trips", pairProblem == null && r.pairFailures.delta() == 0
        && (d.getTotalCount() > 0 || !expectedSome),
        d.getTotalCount() + " round trips, " + r.pairFailures.delta() + " failed" + (pairProblem == null ? "" : "; " + pairProblem));
    return o;
  }

  /** One row of the table after all attacks. */
  static String[] row(String a, JsonObject r) {
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

  private static long delta(JsonObject s0, JsonObject s1, Stat stat) {
    long a = num(s0, stat);
    long b = num(s1, stat);
    return a < 0 || b < 0 ? -1 : b - a;
  }

  private static JsonObject counterDeltas(JsonObject s0, JsonObject s1) {
    JsonObject o = new JsonObject();
    if (s0 == null || s1 == null) {
      return o;
    }
    for (Stat stat : Stat.all()) {
      // The hub's own counters (the process's CPU and collections are reported apart).
      if (stat.kind() != Stat.Kind.COUNTER || stat == Stat.PROCESS_CPU_NANOS || stat == Stat.GC_COUNT) {
        continue;
      }
      long d = delta(s0, s1, stat);
      if (d != 0) {
        o.addProperty(stat.name(), d);
      }
    }
    Map<String, Long> before = HubStats.fromJson(s0).keyed(Stat.ERRORS_BY_CODE);
    JsonObject d = new JsonObject();
    HubStats.fromJson(s1).keyed(Stat.ERRORS_BY_CODE).forEach((code, n) -> {
      long v = n - before.getOrDefault(code, 0L);
      if (v != 0) {
        d.addProperty(code, v);
      }
    });
    if (d.size() > 0) {
      o.add(Stat.ERRORS_BY_CODE.key(), d);
    }
    return o;
  }
}
