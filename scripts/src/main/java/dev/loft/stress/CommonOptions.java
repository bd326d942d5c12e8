package dev.loft.stress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every scenario takes: which hub, where results go, how the generator runs. */
public final class CommonOptions {
  @Option(names = "--url", defaultValue = "ws://127.0.0.1:3000/",
      description = "WebSocket URL of the hub (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--admin", defaultValue = "http://127.0.0.1:3001",
      description = "Admin HTTP base URL of the hub, for /stats (default: ${DEFAULT-VALUE}).")
  String admin;

  @Option(names = "--admin-token", defaultValue = "${env:LOFT_ADMIN_TOKEN}",
      description = "The hub's admin token, for /stats?gc=true (default: $LOFT_ADMIN_TOKEN; generated for --embedded and --in-process).")
  String adminToken;

  @Option(names = "--embedded",
      description = "Start the hub as a child process (java -jar hub-server/target/loft-hub.jar) on free ports;"
          + " its RSS and CPU are then the hub's alone.")
  boolean embedded;

  @Option(names = "--in-process",
      description = "Start the hub inside this JVM on free ports (used by the CI smoke test;"
          + " RSS/CPU/heap then include the load generator).")
  boolean inProcess;

  @Option(names = "--hub-jar", description = "Hub jar for --embedded (default: hub-server/target/loft-hub.jar).")
  Path hubJar;

  @Option(names = "--hub-arg", description = "Extra hub option for --embedded/--in-process, e.g."
      + " --hub-arg=--rate-limit-per-second=1000 (repeatable).")
  List<String> hubArgs = new ArrayList<>();

  @Option(names = "--hub-jvm-arg", description = "Extra JVM option for the --embedded hub, e.g. --hub-jvm-arg=-Xmx1g (repeatable).")
  List<String> hubJvmArgs = new ArrayList<>();

  @Option(names = "--restart-cmd",
      description = "Shell command that restarts an external hub (storm); without it the tool waits for you to restart it.")
  String restartCmd;

  @Option(names = "--out", description = "Directory for <scenario>-<timestamp>.{json,png} (default: scripts/results).")
  Path out;

  @Option(names = "--sample-ms", defaultValue = "0",
      description = "How often /stats is sampled; 0 = 1000 for long scenarios, 250 for slow, flood and storm (default: ${DEFAULT-VALUE}).")
  int sampleMillis;

  @Option(names = "--max-seconds", defaultValue = "900",
      description = "Hard time bound of the whole scenario (default: ${DEFAULT-VALUE}).")
  int maxSeconds;

  @Option(names = "--io-threads", defaultValue = "2",
      description = "Selector threads of the load generator (default: ${DEFAULT-VALUE}; the hub shares the cores).")
  int ioThreads;

  @Option(names = "--source-addresses", defaultValue = "64",
      description = "Bind client sockets across 127.0.0.1..127.0.0.N (default: ${DEFAULT-VALUE}).")
  int sourceAddresses;

  @Option(names = "--client-writes", defaultValue = "per-frame",
      description = "per-frame: one system call per frame sent, as browsers and most client libraries write;"
          + " batched: the frames a generator thread produces in one pass go out in one write per connection"
          + " (default: ${DEFAULT-VALUE}).")
  String clientWrites;

  @Option(names = "--quiet", description = "No live progress line on stderr.")
  boolean quiet;

  Path outDir() {
    if (out != null) {
      return out;
    }
    String home = System.getProperty("loft.stress.home");
    if (home != null) {
      return Path.of(home, "results");
    }
    if (Files.isDirectory(Path.of("scripts"))) {
      return Path.of("scripts", "results");
    }
    return Path.of("results");
  }

  Path hubJarPath() {
    if (hubJar != null) {
      return hubJar;
    }
    String root = System.getProperty("loft.root");
    Path base = root != null ? Path.of(root) : Files.isDirectory(Path.of("hub-server")) ? Path.of(".") : Path.of("..");
    return base.resolve("hub-server/target/loft-hub.jar").toAbsolutePath().normalize();
  }
}
