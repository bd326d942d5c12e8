package dev.loft.stress;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CI smoke: every scenario runs for a few seconds with tiny N against a hub started in this JVM on
 * free ports, and must write a JSON result with sane numbers and a PNG chart. Keeps the tool from
 * rotting as the hub changes; the real figures come from scripts/stress (see docs/benchmarks.md).
 */
class StressScenariosDoNotRotTest {
  @TempDir static Path out;

  static Stream<Arguments> scenarios() {
    return Stream.of(
        Arguments.of("churn", List.of("--cycles", "100", "--concurrency", "4", "--settle", "0.5"),
            (Consumer<JsonObject>) r -> {
              JsonObject res = r.getAsJsonObject("results");
              assertEquals(100, res.get("cycles").getAsLong());
              assertEquals(0, res.get("failedCycles").getAsLong());
              JsonObject settled = r.getAsJsonObject("hub").getAsJsonObject("afterSettle");
              assertEquals(0, settled.get("peers").getAsLong(), "hub peers back to 0");
              assertTrue(r.getAsJsonObject("latency").getAsJsonObject("cycle").get("p50Micros").getAsLong() > 0);
            }),
        Arguments.of("idle", List.of("--peers", "300", "--hold", "0.5", "--concurrency", "64"),
            (Consumer<JsonObject>) r -> {
              JsonObject res = r.getAsJsonObject("results");
              assertEquals(300, res.get("peersHeld").getAsLong());
              assertEquals(300, res.get("hubPeersHeld").getAsLong());
              assertTrue(res.has("rssBytesPerPeer") && res.has("heapBytesPerPeer"));
            }),
        Arguments.of("relay", List.of("--pairs", "5", "--window", "2", "--duration", "2", "--warmup", "0.5"),
            (Consumer<JsonObject>) r -> {
              JsonObject res = r.getAsJsonObject("results");
              assertTrue(res.get("roundTripsPerSecond").getAsDouble() > 10, "round trips/s");
              assertTrue(res.get("hubCpuSecondsPerMillionRelayed").getAsDouble() > 0, "CPU-s per 1M");
              JsonObject lat = r.getAsJsonObject("latency").getAsJsonObject("roundTrip");
              assertTrue(lat.get("p50Micros").getAsLong() <= lat.get("p99Micros").getAsLong());
              assertTrue(lat.get("p99Micros").getAsLong() <= lat.get("p999Micros").getAsLong());
            }),
        Arguments.of("fanout", List.of("--subscribers", "20", "--duration", "2", "--warmup", "0.5"),
            (Consumer<JsonObject>) r -> {
              JsonObject res = r.getAsJsonObject("results");
              assertTrue(res.get("deliveriesPerSecond").getAsDouble() > 100, "deliveries/s");
              assertTrue(res.get("hubCpuSecondsPerMillionDeliveries").getAsDouble() > 0);
              assertTrue(r.getAsJsonObject("latency").getAsJsonObject("delivery").get("count").getAsLong() > 0);
            }),
        Arguments.of("slow", List.of("--subscribers", "3", "--payload", "8192", "--rate", "100", "--after", "1",
                "--duration", "20", "--hub-arg=--outbound-high-watermark-bytes=262144"),
            (Consumer<JsonObject>) r -> {
              JsonObject res = r.getAsJsonObject("results");
              assertTrue(res.get("evicted").getAsBoolean(), "slow subscriber evicted");
              assertTrue(res.get("hubEvictedSlowDelta").getAsLong() >= 1);
              assertEquals(0, res.get("othersClosed").getAsLong());
            }),
        Arguments.of("flood", List.of("--pairs", "3", "--before", "1", "--flood-seconds", "3", "--after", "1",
                "--flood-rate", "2000", "--hub-arg=--rate-limit-per-second=50", "--hub-arg=--rate-limit-burst=100",
                "--hub-arg=--rate-limit-max-strikes=5"),
            (Consumer<JsonObject>) r -> {
              JsonObject res = r.getAsJsonObject("results");
              assertTrue(res.get("floodRateLimitedFrames").getAsLong() > 0 || res.get("hubRateLimitedDelta").getAsLong() > 0);
              assertEquals(0, res.get("normalErrors").getAsLong());
              assertEquals(0, res.get("normalClosed").getAsLong());
            }),
        Arguments.of("abuse", List.of("--attack", "all", "--duration", "1", "--settle", "0.5",
                "--connections", "3", "--tree-bytes", "20000", "--header-sockets", "3", "--hog-peers", "5",
                "--hog-topics", "5", "--members", "20", "--resets", "50", "--reset-concurrency", "4"),
            (Consumer<JsonObject>) r -> {
              JsonObject res = r.getAsJsonObject("results");
              for (String attack : List.of("announce-tree", "ping-flood", "header-flood", "binary-flood",
                  "topic-hog", "announce-flip", "reset-race")) {
                assertTrue(res.has(attack), "ran " + attack + ": " + res.keySet());
              }
            }),
        Arguments.of("storm", List.of("--peers", "100", "--timeout", "30", "--connect-timeout-ms", "3000"),
            (Consumer<JsonObject>) r -> {
              JsonObject res = r.getAsJsonObject("results");
              assertTrue(res.get("allBack").getAsBoolean(), "all peers back");
              assertEquals(100, res.get("back").getAsLong());
              assertTrue(res.get("secondsUntilAllBackFromRestart").getAsDouble() > 0);
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  @Timeout(60)
  void scenarioWritesASaneResultAndChart(String scenario, List<String> extra, Consumer<JsonObject> sane)
      throws IOException {
    Path dir = out.resolve(scenario);
    List<String> args = new ArrayList<>(List.of(scenario, "--in-process", "--quiet", "--sample-ms", "250",
        "--max-seconds", "45", "--source-addresses", "4", "--out", dir.toString()));
    args.addAll(extra);

    int exit = StressMain.commandLine().execute(args.toArray(String[]::new));

    Path json = only(dir, ".json");
    JsonObject result = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertEquals(0, exit, () -> "exit status; summary: " + result.get("summary") + " checks: " + result.get("checks")
        + " error: " + result.get("error"));
    assertTrue(result.get("ok").getAsBoolean());
    assertEquals(scenario, result.get("scenario").getAsString());
    assertTrue(result.getAsJsonArray("samples").size() >= 2, "sampled /stats over time");
    assertTrue(result.getAsJsonArray("summary").size() > 0, "has a human summary");
    sane.accept(result);
    Path png = only(dir, ".png");
    assertTrue(Files.size(png) > 2_000, "chart written");
    assertTrue(Files.size(png) < 200_000, "chart small");
    // The generator's selector threads are gone once a scenario returns.
    await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("ws-loop-") && t.isAlive()));
  }

  private static Path only(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found = files.filter(p -> p.toString().endsWith(suffix)).toList();
      assertEquals(1, found.size(), () -> "one " + suffix + " in " + dir + ": " + found);
      return found.get(0);
    }
  }
}
