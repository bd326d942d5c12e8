package dev.loft.server.support;

import com.google.gson.JsonObject;
import dev.loft.server.cli.LoftHubMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real command line in its own JVM with a small heap, as an operator runs it: attacks that
 * exhaust memory or threads hit that process, not the test's. Ports are ephemeral and read from
 * the hub's start line.
 */
public final class ChildHub implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("listening on ws://[^:]+:(\\d+)/ \\(admin http://[^:]+:(\\d+)/\\)");

  private final Process process;
  private final StringBuilder output = new StringBuilder();
  private final int port;
  private final int adminPort;
  private final AdminHttp admin;

  private ChildHub(Process process, CompletableFuture<int[]> ports) throws Exception {
    this.process = process;
    int[] p = ports.get(30, TimeUnit.SECONDS);
    this.port = p[0];
    this.adminPort = p[1];
    this.admin = new AdminHttp(adminPort);
  }

  /** Starts {@code mainClass} (LoftHubMain or a wrapper) with {@code -Xmx<heap>} and {@code args}. */
  public static ChildHub startMain(String heap, String mainClass, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-Xms16m", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), mainClass,
        "--port", "0", "--admin-port", "0", "--admin-token", AbuseTokens.ADMIN, "--log-level", "INFO"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<int[]> ports = new CompletableFuture<>();
    ChildHub[] self = new ChildHub[1];
    StringBuilder early = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (early) {
            early.append(line).append('\n');
          }
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            ports.complete(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
          }
        }
      } catch (Exception e) {
        ports.completeExceptionally(e);
      }
      ports.completeExceptionally(new IllegalStateException("hub exited before listening:\n" + early));
    }, "child-hub-output");
    reader.setDaemon(true);
    reader.start();
    try {
      ChildHub hub = new ChildHub(process, ports);
      hub.shareOutput(early);
      self[0] = hub;
      return hub;
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  public static ChildHub start(String heap, String... args) throws Exception {
    return startMain(heap, LoftHubMain.class.getName(), args);
  }

  private StringBuilder shared;

  private void shareOutput(StringBuilder buffer) {
    this.shared = buffer;
  }

  /** Everything the hub logged so far. */
  public String output() {
    synchronized (shared) {
      return shared.toString();
    }
  }

  public URI uri() {
    return URI.create("ws://127.0.0.1:" + port + "/");
  }

  public int adminPort() {
    return adminPort;
  }

  public AdminHttp admin() {
    return admin;
  }

  /** GET /stats as JSON. */
  public JsonObject stats() {
    return AdminHttp.json(admin.get("/stats"));
  }

  public Process process() {
    return process;
  }

  /** Writes a line to the hub's standard input (for wrappers that take commands). */
  public void command(String line) throws Exception {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
