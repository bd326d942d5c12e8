package dev.loft.stress;

import dev.loft.server.HubServer;
import dev.loft.server.cli.LoftHubMain;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.net.InetAddress;
import java.security.SecureRandom;

/**
 * The hub under test: an external one (by URL), a child {@code java -jar} process, or one inside
 * this JVM. All are read through the same admin HTTP {@code /stats}.
 */
@SuppressWarnings("try")
abstract class HubTarget implements AutoCloseable {
  abstract String mode();

  abstract String wsUrl();

  abstract String adminUrl();

  /** The hub's process id when this tool knows it (a child process, or this JVM), else -1. */
  long pid() {
    return -1;
  }

  /** Stops the hub and starts it again on the same ports; blocks until it is back (or fails). */
  abstract void restart() throws Exception;

  /** Whether {@link #restart()} restarts the hub itself (false: someone else must). */
  boolean canRestart() {
    return true;
  }

  @Override
  public void close() throws Exception {}

  static HubTarget open(CommonOptions o, String logName) throws Exception {
    if (o.embedded && o.inProcess) {
      throw new IllegalArgumentException("choose one of --embedded and --in-process");
    }
    AdminClient.token(o.embedded || o.inProcess ? STARTED_HUB_TOKEN : o.adminToken);
    if (o.embedded) {
      return new Child(o, logName);
    }
    if (o.inProcess) {
      return new InProcess(o.hubArgs);
    }
    return new External(o);
  }

  /** The admin token of a hub this tool starts itself (child or in-process): local, per run. */
  static final String STARTED_HUB_TOKEN = "stress-" + Long.toHexString(new SecureRandom().nextLong());

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void awaitHealthy(String adminUrl, Duration timeout, Process process) throws Exception {
    AdminClient admin = new AdminClient(adminUrl);
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 20;
    while (System.nanoTime() < deadline) {
      if (admin.healthy()) {
        return;
      }
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException("the hub process exited with " + process.exitValue());
      }
      TimeUnit.MILLISECONDS.sleep(pause); // polling a process that is starting up: no event to wait on
      pause = Math.min(200, pause * 2);
    }
    throw new IllegalStateException("the hub at " + adminUrl + " did not become healthy within " + timeout);
  }

  // --------------------------------------------------------------------------------------- external

  static final class External extends HubTarget {
    private final CommonOptions o;

    External(CommonOptions o) {
      this.o = o;
    }

    @Override
    String mode() {
      return "external";
    }

    @Override
    String wsUrl() {
      return o.url;
    }

    @Override
    String adminUrl() {
      return o.admin;
    }

    @Override
    boolean canRestart() {
      return o.restartCmd != null;
    }

    @Override
    void restart() throws Exception {
      if (o.restartCmd == null) {
        System.err.println("\nstress: restart the hub now (waiting for it to go down and come back)");
        return;
      }
      Process p = new ProcessBuilder("sh", "-c", o.restartCmd).inheritIO().start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("--restart-cmd did not finish within 120 s");
      }
    }
  }

  /** A hub this tool starts itself, on 127.0.0.1. */
  abstract static class Local extends HubTarget {
    int port;
    int adminPort;

    @Override
    String wsUrl() {
      return "ws://127.0.0.1:" + port + "/";
    }

    @Override
    String adminUrl() {
      return "http://127.0.0.1:" + adminPort;
    }
  }

  // --------------------------------------------------------------------------------------- child

  static final class Child extends Local {
    private final CommonOptions o;
    private final Path log;
    private Process process;

    Child(CommonOptions o, String logName) throws Exception {
      this.o = o;
      Path jar = o.hubJarPath();
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException("hub jar " + jar + " not found: build it (mvn -B -q package -DskipTests) or pass --hub-jar");
      }
      Files.createDirectories(o.outDir());
      log = o.outDir().resolve(logName + "-hub.log");
      port = freePort();
      adminPort = freePort();
      start();
    }

    private void start() throws Exception {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(o.hubJvmArgs);
      cmd.add("-jar");
      cmd.add(o.hubJarPath().toString());
      cmd.add("--port");
      cmd.add(Integer.toString(port));
      cmd.add("--admin-port");
      cmd.add(Integer.toString(adminPort));
      cmd.add("--admin-token");
      cmd.add(STARTED_HUB_TOKEN);
      cmd.addAll(o.hubArgs);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      process = pb.start();
      awaitHealthy(adminUrl(), Duration.ofSeconds(60), process);
    }

    @Override
    String mode() {
      return "embedded (child process: " + String.join(" ", o.hubJvmArgs) + " -jar " + o.hubJarPath().getFileName()
          + " " + String.join(" ", o.hubArgs) + ")";
    }

    @Override
    void restart() throws Exception {
      stop();
      start();
    }

    @Override
    long pid() {
      Process p = process;
      return p == null ? -1 : p.pid();
    }

    private void stop() throws InterruptedException {
      if (process != null && process.isAlive()) {
        process.destroy(); // SIGTERM: the hub's graceful shutdown
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }

    @Override
    public void close() throws Exception {
      stop();
    }
  }

  // --------------------------------------------------------------------------------------- in-process

  /** A hub in this JVM, configured by the hub's own command-line parser (the same options and checks). */
  static final class InProcess extends Local {
    private final List<String> hubArgs;
    private HubServer hub;

    InProcess(List<String> hubArgs) throws Exception {
      this.hubArgs = hubArgs;
      start(0, 0);
    }

    private void start(int wantPort, int wantAdminPort) throws Exception {
      List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", Integer.toString(wantPort),
          "--admin-port", Integer.toString(wantAdminPort), "--admin-token", STARTED_HUB_TOKEN));
      args.addAll(hubArgs);
      hub = HubServer.start(LoftHubMain.parseConfig(args));
      port = hub.port();
      adminPort = hub.adminPort();
      awaitHealthy(adminUrl(), Duration.ofSeconds(30), null);
    }

    @Override
    long pid() {
      return ProcessHandle.current().pid();
    }

    @Override
    String mode() {
      return "in-process (hub and load generator share one JVM: RSS, CPU and heap include the generator)";
    }

    @Override
    void restart() throws Exception {
      int p = port;
      int a = adminPort;
      stop();
      start(p, a);
    }

    private void stop() {
      if (hub != null) {
        hub.close();
        hub = null;
      }
    }

    @Override
    public void close() throws Exception {
      stop();
    }
  }

  static String javaVersion() {
    return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
  }
}
