package dev.loft.stress;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.loft.server.stats.Stat;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import com.google.gson.JsonNull;
import java.lang.management.OperatingSystemMXBean;
import org.knowm.xchart.style.Styler;

/** Collects a scenario's figures and checks; writes the JSON, the PNG chart and the human summary. */
final class Report {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
  static final Stat[] SAMPLE_FIELDS = {
    Stat.PEERS, Stat.ANNOUNCED_PEERS, Stat.NETWORKS, Stat.TOPICS, Stat.SUBSCRIPTIONS, Stat.BUS_LISTENERS,
    Stat.QUEUED_OUTBOUND_BYTES, Stat.HEAP_USED_BYTES, Stat.HEAP_MAX_BYTES, Stat.RSS_BYTES, Stat.THREADS,
    Stat.PROCESS_CPU_NANOS, Stat.GC_COUNT, Stat.FRAMES_IN, Stat.FRAMES_OUT, Stat.DROPPED, Stat.RATE_LIMITED,
    Stat.EVICTED_SLOW, Stat.EVICTED_RATE_LIMIT
  };

  private final String scenario;
  private final Instant started = Instant.now();
  private final String stamp;
  private final JsonObject params = new JsonObject();
  private final JsonObject hub = new JsonObject();
  private final JsonObject results = new JsonObject();
  private final JsonObject latency = new JsonObject();
  private final JsonArray checks = new JsonArray();
  private final JsonObject targets = new JsonObject();
  private final List<String> summary = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private boolean ok = true;
  private Path jsonPath;
  private Path pngPath;

  private final String loadAtStart = loadAverage();

  /** /proc/loadavg: other work on the machine skews throughput (CPU-s per message much less). */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  Report(String scenario) {
    this.scenario = scenario;
    this.stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC).format(started);
  }

  String baseName() {
    return scenario + "-" + stamp;
  }

  void param(String name, Object value) {
    params.add(name, toJson(value));
  }

  void hub(String name, Object value) {
    hub.add(name, toJson(value));
  }

  void result(String name, Object value) {
    results.add(name, toJson(value));
  }

  /** A line of the human summary (also kept in the JSON). */
  void line(String text) {
    summary.add(text);
  }

  void note(String text) {
    notes.add(text);
  }

  /** A functional expectation; a failed check makes the exit status 1. */
  void check(String name, boolean passed, String detail) {
    JsonObject c = new JsonObject();
    c.addProperty("name", name);
    c.addProperty("ok", passed);
    c.addProperty("detail", detail);
    checks.add(c);
    ok &= passed;
  }

  /** A performance target from the issue: reported, never fails the run. */
  void target(String name, boolean met, String detail) {
    JsonObject c = new JsonObject();
    c.addProperty("met", met);
    c.addProperty("detail", detail);
    targets.add(name, c);
  }

  boolean ok() {
    return ok;
  }

  /** Latency percentiles in microseconds (the histogram records microseconds). */
  JsonObject latency(String name, Histogram h) {
    JsonObject o = new JsonObject();
    o.addProperty("count", h.getTotalCount());
    if (h.getTotalCount() > 0) {
      o.addProperty("p50Micros", h.getValueAtPercentile(50));
      o.addProperty("p99Micros", h.getValueAtPercentile(99));
      o.addProperty("p999Micros", h.getValueAtPercentile(99.9));
      o.addProperty("maxMicros", h.getMaxValue());
      o.addProperty("meanMicros", Math.round(h.getMean()));
    }
    latency.add(name, o);
    return o;
  }

  static String latencyText(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "no samples";
    }
    return String.format(
        Locale.ROOT,
        "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (n=%,d)",
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0,
        h.getMaxValue() / 1000.0,
        h.getTotalCount());
  }

  static JsonObject pick(JsonObject stats) {
    JsonObject o = new JsonObject();
    if (stats == null) {
      return o;
    }
    for (Stat f : SAMPLE_FIELDS) {
      if (stats.has(f.key())) {
        o.add(f.key(), stats.get(f.key()));
      }
    }
    if (stats.has(Stat.ERRORS_BY_CODE.key())) {
      o.add(Stat.ERRORS_BY_CODE.key(), stats.get(Stat.ERRORS_BY_CODE.key()));
    }
    if (stats.has(Stat.MEMORY_PRESSURE.key())) {
      o.add(Stat.MEMORY_PRESSURE.key(), stats.get(Stat.MEMORY_PRESSURE.key()));
    }
    return o;
  }

  static JsonElement toJson(Object v) {
    if (v == null) {
      return JsonNull.INSTANCE;
    }
    if (v instanceof JsonElement e) {
      return e;
    }
    if (v instanceof Number n) {
      if (n instanceof Double d && (d.isNaN() || d.isInfinite())) {
        return JsonNull.INSTANCE;
      }
      return new JsonPrimitive(n);
    }
    if (v instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    return new JsonPrimitive(String.valueOf(v));
  }

  Path jsonPath() {
    return jsonPath;
  }

  Path pngPath() {
    return pngPath;
  }

  /** Writes {@code <scenario>-<timestamp>.json} and {@code .png} into {@code dir}. */
  void write(Path dir, StatsSampler sampler, double elapsedSeconds, String error) throws IOException {
    Files.createDirectories(dir);
    jsonPath = dir.resolve(baseName() + ".json");
    pngPath = dir.resolve(baseName() + ".png");
    List<StatsSampler.Sample> samples = sampler == null ? List.of() : sampler.samples();
    List<StatsSampler.Marker> markers = sampler == null ? List.of() : sampler.markers();

    JsonObject root = new JsonObject();
    root.addProperty("scenario", scenario);
    root.addProperty("startedAt", started.toString());
    root.addProperty("elapsedSeconds", Fmt.round3(elapsedSeconds));
    root.addProperty("ok", ok && error == null);
    if (error != null) {
      root.addProperty("error", error);
    }
    JsonObject machine = new JsonObject();
    machine.addProperty("cores", Runtime.getRuntime().availableProcessors());
    machine.addProperty("memoryBytes", totalMemory());
    machine.addProperty("java", HubTarget.javaVersion());
    machine.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.addProperty("generatorPid", ProcessHandle.current().pid());
    machine.addProperty("loadAverageAtStart", loadAtStart);
    machine.addProperty("loadAverageAtEnd", loadAverage());
    root.add("machine", machine);
    root.add("hub", hub);
    root.add("params", params);
    root.add("results", results);
    root.add("latency", latency);
    root.add("checks", checks);
    root.add("targets", targets);
    JsonArray n = new JsonArray();
    notes.forEach(n::add);
    root.add("notes", n);
    JsonArray s = new JsonArray();
    summary.forEach(s::add);
    root.add("summary", s);
    JsonArray m = new JsonArray();
    for (StatsSampler.Marker mk : markers) {
      JsonObject o = new JsonObject();
      o.addProperty("t", Fmt.round3(mk.t()));
      o.addProperty("label", mk.label());
      m.add(o);
    }
    root.add("markers", m);
    JsonArray arr = new JsonArray();
    for (StatsSampler.Sample sm : samples) {
      JsonObject o = pick(sm.stats());
      o.addProperty("t", Fmt.round3(sm.t()));
      o.addProperty("up", sm.stats() != null);
      arr.add(o);
    }
    root.add("samples", arr);
    root.addProperty("chart", pngPath.getFileName().toString());
    Files.writeString(jsonPath, GSON.toJson(root), StandardCharsets.UTF_8);
    writeChart(samples, markers);
  }

  private static long totalMemory() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getTotalMemorySize();
    }
    return -1;
  }

  private void writeChart(List<StatsSampler.Sample> samples, List<StatsSampler.Marker> markers) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(420)
            .title("Loft hub during '" + scenario + "' (" + stamp + " UTC)")
            .xAxisTitle("seconds")
            .yAxisTitle("MB")
            .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    chart.getStyler().setYAxisMin(0, 0.0);
    chart.getStyler().setYAxisMin(1, 0.0);
    chart.getStyler().setAntiAlias(true);
    chart.setYAxisGroupTitle(0, "MB (heap, RSS)");
    chart.setYAxisGroupTitle(1, "peers");

    List<Double> t = new ArrayList<>();
    List<Double> heap = new ArrayList<>();
    List<Double> rss = new ArrayList<>();
    List<Double> peers = new ArrayList<>();
    for (StatsSampler.Sample s : samples) {
      if (s.stats() == null) {
        continue;
      }
      t.add(s.t());
      heap.add(AdminClient.num(s.stats(), Stat.HEAP_USED_BYTES) / 1048576.0);
      rss.add(AdminClient.num(s.stats(), Stat.RSS_BYTES) / 1048576.0);
      peers.add((double) AdminClient.num(s.stats(), Stat.PEERS));
    }
    if (t.isEmpty()) {
      t.add(0.0);
      heap.add(0.0);
      rss.add(0.0);
      peers.add(0.0);
    }
    Map<String, List<Double>> mb = new LinkedHashMap<>();
    mb.put("hub heap used", heap);
    mb.put("hub RSS", rss);
    Color[] colors = {new Color(0x1f77b4), new Color(0xd62728)};
    int i = 0;
    for (Map.Entry<String, List<Double>> e : mb.entrySet()) {
      XYSeries series = chart.addSeries(e.getKey(), t, e.getValue());
      series.setMarker(SeriesMarkers.NONE);
      series.setLineColor(colors[i++]);
      series.setLineWidth(1.6f);
    }
    XYSeries p = chart.addSeries("hub peers (right axis)", t, peers);
    p.setMarker(SeriesMarkers.NONE);
    p.setLineColor(new Color(0x2ca02c));
    p.setLineWidth(1.6f);
    p.setYAxisGroup(1);
    double top = 0;
    for (List<Double> l : mb.values()) {
      for (double v : l) {
        top = Math.max(top, v);
      }
    }
    int k = 0;
    for (StatsSampler.Marker mk : markers) {
      AnnotationLine line = new AnnotationLine(mk.t(), true, false);
      chart.addAnnotation(line);
      double y = top * (1.0 - 0.06 * (k++ % 4));
      AnnotationText text = new AnnotationText(mk.label(), mk.t(), y, false);
      chart.addAnnotation(text);
    }
    String base = pngPath.toString();
    BitmapEncoder.saveBitmap(chart, base.substring(0, base.length() - 4), BitmapEncoder.BitmapFormat.PNG);
  }

  /** The short human summary on stdout. */
  void print(PrintStream out, String error) {
    out.println();
    out.println("== " + scenario + " ==");
    for (String l : summary) {
      out.println("  " + l);
    }
    for (JsonElement e : checks) {
      JsonObject c = e.getAsJsonObject();
      out.println("  [" + (c.get("ok").getAsBoolean() ? "ok" : "FAILED") + "] " + c.get("name").getAsString()
          + ": " + c.get("detail").getAsString());
    }
    for (Map.Entry<String, JsonElement> e : targets.entrySet()) {
      JsonObject c = e.getValue().getAsJsonObject();
      out.println("  target " + e.getKey() + " " + (c.get("met").getAsBoolean() ? "met" : "MISSED") + ": "
          + c.get("detail").getAsString());
    }
    for (String nt : notes) {
      out.println("  note: " + nt);
    }
    if (error != null) {
      out.println("  ERROR: " + error);
    }
    out.println("  machine load average (1/5/15 min) at start: " + loadAtStart + ", at end: " + loadAverage());
    if (jsonPath != null) {
      out.println("  result: " + jsonPath);
      out.println("  chart:  " + pngPath);
    }
  }
}
