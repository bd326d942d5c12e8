package dev.loft.stress;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

  // --------------------------------------------------------------------------------------- child

  static final class Child extends HubTarget {
    private final CommonOptions o;
    private final Path log;
    private final int port;
    private final int adminPort;
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
    String wsUrl() {
      return "ws://127.0.0.1:" + port + "/";
    }

    @Override
    String adminUrl() {
      return "http://127.0.0.1:" + adminPort;
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

  /** Uses the hub-server API by reflection so the tool builds even while the server module changes. */
  static final class InProcess extends HubTarget {
    private final List<String> hubArgs;
    private Object hub;
    private int port;
    private int adminPort;

    InProcess(List<String> hubArgs) throws Exception {
      this.hubArgs = hubArgs;
      start(0, 0);
    }

    private void start(int wantPort, int wantAdminPort) throws Exception {
      Class<?> configClass = Class.forName("dev.loft.server.HubConfig");
      Object builder = configClass.getMethod("builder").invoke(null);
      Class<?> bc = builder.getClass();
      bc.getMethod("host", String.class).invoke(builder, "127.0.0.1");
      bc.getMethod("port", int.class).invoke(builder, wantPort);
      bc.getMethod("adminPort", int.class).invoke(builder, wantAdminPort);
      bc.getMethod("adminToken", String.class).invoke(builder, STARTED_HUB_TOKEN);
      for (String arg : hubArgs) {
        applyOption(builder, arg);
      }
      Object config = bc.getMethod("build").invoke(builder);
      Class<?> serverClass = Class.forName("dev.loft.server.HubServer");
      hub = serverClass.getMethod("start", configClass).invoke(null, config);
      port = (int) serverClass.getMethod("port").invoke(hub);
      adminPort = (int) serverClass.getMethod("adminPort").invoke(hub);
      awaitHealthy(adminUrl(), Duration.ofSeconds(30), null);
    }

    /** {@code --rate-limit-per-second=5} becomes {@code builder.rateLimitPerSecond(5)}. */
    static void applyOption(Object builder, String arg) throws Exception {
      String a = arg.startsWith("--") ? arg.substring(2) : arg;
      int eq = a.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("--hub-arg for --in-process must look like --name=value: " + arg);
      }
      String name = camel(a.substring(0, eq));
      String value = a.substring(eq + 1);
      for (Method m : builder.getClass().getMethods()) {
        if (!m.getName().equals(name) || m.getParameterCount() != 1) {
          continue;
        }
        Class<?> t = m.getParameterTypes()[0];
        Object v;
        if (t == int.class) {
          v = Integer.parseInt(value);
        } else if (t == long.class) {
          v = Long.parseLong(value);
        } else if (t == double.class) {
          v = Double.parseDouble(value);
        } else if (t == boolean.class) {
          v = Boolean.parseBoolean(value);
        } else if (t == String.class) {
          v = value;
        } else if (t == Duration.class) {
          v = parseDuration(value);
        } else {
          continue;
        }
        m.invoke(builder, v);
        return;
      }
      throw new IllegalArgumentException("HubConfig.Builder has no option " + name + " (from " + arg + ")");
    }

    static Duration parseDuration(String v) {
      String s = v.trim().toLowerCase(Locale.ROOT);
      if (s.startsWith("p")) {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      }
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      if (s.endsWith("s")) {
        return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
      }
      if (s.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
      }
      return Duration.ofMillis(Long.parseLong(s));
    }

    static String camel(String kebab) {
      StringBuilder sb = new StringBuilder();
      boolean up = false;
      for (char c : kebab.toCharArray()) {
        if (c == '-') {
          up = true;
        } else {
          sb.append(up ? Character.toUpperCase(c) : c);
          up = false;
        }
      }
      return sb.toString();
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
    String wsUrl() {
      return "ws://127.0.0.1:" + port + "/";
    }

    @Override
    String adminUrl() {
      return "http://127.0.0.1:" + adminPort;
    }

    @Override
    void restart() throws Exception {
      int p = port;
      int a = adminPort;
      stop();
      start(p, a);
    }

    private void stop() throws Exception {
      if (hub != null) {
        Class.forName("dev.loft.server.HubServer").getMethod("close").invoke(hub);
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
