package dev.loft.server.peerpigeon;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The Node side of the PeerPigeon interop test: finds {@code node} and {@code npm}, installs the pinned
 * {@code peerpigeon} with {@code npm ci --ignore-scripts} into {@code src/test/node/node_modules} (git
 * ignores it) when needed, runs the driver {@code interop.mjs}, and starts PeerPigeon's own hub
 * ({@code peerpigeon-hub.mjs}) as the control. Every process it starts is bounded by a timeout and
 * killed on every path.
 */
final class NodeInterop {
  static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(3);
  static final Duration HUB_START_TIMEOUT = Duration.ofSeconds(20);
  /** The driver's own bound on the whole scenario (it then prints ok:false and exits non-zero). */
  static final Duration SCENARIO_TIMEOUT = Duration.ofSeconds(25);
  /** The JVM's bound on the driver process, above the driver's own. */
  static final Duration DRIVER_PROCESS_TIMEOUT = SCENARIO_TIMEOUT.plusSeconds(15);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private static final String STAMP_FILE = ".loft-npm-ci.sha256";

  final Path dir;
  final Path workDir;
  private final Path node;
  private final Path npm;

  private NodeInterop(Path dir, Path workDir, Path node, Path npm) {
    this.dir = dir;
    this.workDir = workDir;
    this.node = node;
    this.npm = npm;
  }

  /**
   * Finds node and npm on PATH; when either is missing the calling test is skipped (a JUnit
   * assumption), so a machine without Node still passes the build.
   */
  static NodeInterop locateOrSkip() {
    Optional<Path> node = onPath("node");
    Assumptions.assumeTrue(node.isPresent(),
        "node is not on PATH: the PeerPigeon interop test needs Node.js >= 18 and npm (skipped)");
    Optional<Path> npm = onPath("npm");
    Assumptions.assumeTrue(npm.isPresent(),
        "npm is not on PATH: the PeerPigeon interop test needs Node.js >= 18 and npm (skipped)");
    Path base = Paths.get(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    Path dir = base.resolve("src/test/node");
    if (!Files.isRegularFile(dir.resolve("interop.mjs"))) {
      fail("PeerPigeon interop driver not found at " + dir.resolve("interop.mjs")
          + " (the test runs from the hub-server module directory)");
    }
    Path work = base.resolve("target/peerpigeon-interop");
    try {
      Files.createDirectories(work);
    } catch (IOException e) {
      fail("cannot create " + work + ": " + e);
    }
    NodeInterop interop = new NodeInterop(dir, work, node.get(), npm.get());
    interop.requireNodeVersion();
    return interop;
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    List<String> names = windows ? List.of(name + ".exe", name + ".cmd", name) : List.of(name);
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      for (String n : names) {
        Path candidate = Paths.get(entry, n);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  private void requireNodeVersion() {
    ProcessResult r = run(List.of(node.toString(), "--version"), Duration.ofSeconds(20), workDir.resolve("node-version.log"));
    Matcher m = Pattern.compile("v(\\d+)\\.").matcher(r.output);
    if (r.exitCode != 0 || !m.find()) {
      fail("`node --version` failed (exit " + r.exitCode + "): " + r.output);
    }
    int major = Integer.parseInt(m.group(1));
    Assumptions.assumeTrue(major >= 18,
        "node " + r.output.trim() + " is older than 18: the PeerPigeon interop test is skipped");
  }

  // ------------------------------------------------------------------------------ npm ci

  /**
   * Runs {@code npm ci --ignore-scripts} unless node_modules was installed from exactly this
   * package.json and package-lock.json. A failing install FAILS the test (it does not skip).
   */
  void ensureInstalled() {
    Path lock = dir.resolve("package-lock.json");
    if (!Files.isRegularFile(lock)) {
      fail("missing " + lock + ": the PeerPigeon versions must be pinned by a committed lockfile");
    }
    String wanted = installFingerprint();
    Path stamp = dir.resolve("node_modules").resolve(STAMP_FILE);
    try {
      if (Files.isRegularFile(stamp)
          && Files.isDirectory(dir.resolve("node_modules/peerpigeon"))
          && Files.readString(stamp).trim().equals(wanted)) {
        return;
      }
    } catch (IOException e) {
      // fall through and reinstall
    }
    Path log = workDir.resolve("npm-ci.log");
    List<String> command = List.of(npm.toString(), "ci", "--ignore-scripts", "--no-audit", "--no-fund");
    ProcessResult r = run(command, NPM_CI_TIMEOUT, log);
    if (r.timedOut) {
      fail("`npm ci --ignore-scripts` in " + dir + " did not finish within " + NPM_CI_TIMEOUT.toSeconds()
          + " s (killed); is the npm registry reachable? Output (" + log + "):\n" + tail(r.output, 40));
    }
    if (r.exitCode != 0) {
      fail("`npm ci --ignore-scripts` in " + dir + " failed with exit code " + r.exitCode
          + ", so PeerPigeon could not be installed and the interop test cannot run. Output (" + log
          + "):\n" + tail(r.output, 40));
    }
    try {
      Files.writeString(stamp, wanted + "\n");
    } catch (IOException e) {
      fail("cannot write " + stamp + ": " + e);
    }
  }

  private String installFingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(Files.readAllBytes(dir.resolve("package.json")));
      sha.update((byte) 0);
      sha.update(Files.readAllBytes(dir.resolve("package-lock.json")));
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot fingerprint " + dir, e);
    }
  }

  // ------------------------------------------------------------------------------ the driver

  /** One run of interop.mjs against {@code hub}: its parsed JSON result. */
  record DriverRun(String label, URI hub, JsonObject result, int exitCode, Path stdout, Path stderr) {
    boolean ok() {
      return result.has("ok") && result.get("ok").getAsBoolean();
    }
  }

  DriverRun runDriver(String label, URI hub, Duration idle) {
    return runDriver(label, hub, null, idle);
  }

  /** With {@code hubB}, peer B connects there: another hub of the same cluster. */
  DriverRun runDriver(String label, URI hub, URI hubB, Duration idle) {
    Path out = workDir.resolve(label + ".json");
    Path err = workDir.resolve(label + ".stderr.log");
    List<String> command = new java.util.ArrayList<>(List.of(node.toString(), "interop.mjs", hub.toString(),
        "--timeout-ms", Long.toString(SCENARIO_TIMEOUT.plus(idle).toMillis()),
        "--idle-ms", Long.toString(idle.toMillis())));
    if (hubB != null) {
      command.addAll(List.of("--hub-b", hubB.toString()));
    }
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = start(pb);
    int exit;
    try {
      if (!p.waitFor(DRIVER_PROCESS_TIMEOUT.plus(idle).toMillis(), TimeUnit.MILLISECONDS)) {
        fail("the PeerPigeon driver against " + label + " (" + hub + ") did not exit within "
            + DRIVER_PROCESS_TIMEOUT.plus(idle).toSeconds() + " s and was killed; stderr: " + err);
      }
      exit = p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      kill(p);
    }
    String stdout = read(out);
    String lastLine = stdout.strip();
    int nl = lastLine.lastIndexOf('\n');
    lastLine = nl < 0 ? lastLine : lastLine.substring(nl + 1);
    try {
      JsonObject result = JsonParser.parseString(lastLine).getAsJsonObject();
      return new DriverRun(label, hub, result, exit, out, err);
    } catch (JsonParseException | IllegalStateException e) {
      fail("the PeerPigeon driver against " + label + " printed no JSON result (exit " + exit + ").\nstdout:\n"
          + tail(stdout, 20) + "\nstderr (" + err + "):\n" + tail(read(err), 40));
      throw new AssertionError("unreachable");
    }
  }

  // ------------------------------------------------------------------------------ PeerPigeon's hub

  /** PeerPigeon's own hub, in a Node process; closing it stops the process. */
  final class PeerPigeonHub implements AutoCloseable {
    private final Process process;
    final URI uri;
    final Path log;

    private PeerPigeonHub(Process process, URI uri, Path log) {
      this.process = process;
      this.uri = uri;
      this.log = log;
    }

    @Override
    public void close() {
      try {
        process.getOutputStream().close(); // the launcher also stops when its stdin closes
      } catch (IOException ignored) {
        // already gone
      }
      kill(process);
    }
  }

  PeerPigeonHub startPeerPigeonHub() {
    Path log = workDir.resolve("peerpigeon-hub.log");
    ProcessBuilder pb = new ProcessBuilder(node.toString(), "peerpigeon-hub.mjs", "0")
        .directory(dir.toFile()).redirectError(log.toFile());
    Process p = start(pb);
    ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "peerpigeon-hub-stdout");
      t.setDaemon(true);
      return t;
    });
    boolean started = false;
    try {
      BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
        try {
          return stdout.readLine();
        } catch (IOException e) {
          return null;
        }
      }, reader);
      String line;
      try {
        line = firstLine.get(HUB_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        line = null;
      } catch (ExecutionException e) {
        throw new IllegalStateException("reading PeerPigeon's hub output failed; log: " + log, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (line == null) {
        fail("PeerPigeon's hub did not report listening within " + HUB_START_TIMEOUT.toSeconds()
            + " s (or exited); its log (" + log + "):\n" + tail(read(log), 40));
      }
      JsonObject ready = JsonParser.parseString(line).getAsJsonObject();
      PeerPigeonHub hub = new PeerPigeonHub(p, URI.create(ready.get("url").getAsString()), log);
      started = true;
      return hub;
    } finally {
      reader.shutdownNow();
      if (!started) {
        kill(p);
      }
    }
  }

  // ------------------------------------------------------------------------------ processes

  private record ProcessResult(int exitCode, boolean timedOut, String output) {}

  private ProcessResult run(List<String> command, Duration timeout, Path log) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = start(pb);
    try {
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new ProcessResult(done ? p.exitValue() : -1, !done, read(log));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      kill(p);
    }
  }

  private static Process start(ProcessBuilder pb) {
    try {
      return pb.start();
    } catch (IOException e) {
      fail("cannot start " + pb.command() + " in " + pb.directory() + ": " + e);
      throw new AssertionError("unreachable");
    }
  }

  /** Stops {@code p} and its children: politely, then forcibly after {@link #STOP_TIMEOUT}. */
  static void kill(Process p) {
    if (p == null) {
      return;
    }
    List<ProcessHandle> children = new ArrayList<>();
    try {
      p.descendants().forEach(children::add);
    } catch (UnsupportedOperationException ignored) {
      // no process tree on this platform
    }
    if (p.isAlive()) {
      p.destroy();
      try {
        if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    for (ProcessHandle child : children) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  static String tail(String text, int lines) {
    String[] all = text.split("\n", -1);
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
  }
}
