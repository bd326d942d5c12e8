package dev.loft.server.support;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code redis-server} as a child process on a free loopback port, with nothing saved to
 * disk. {@link #stop()} kills it (Redis down), {@link #start()} brings it back on the same port
 * (Redis back), {@link #close()} kills it for good (idempotent). Its output goes to
 * {@code target/redis/redis-<port>.log}.
 *
 * <p>{@link #command} speaks RESP over a fresh socket of its own, so a test can ask the server what
 * it holds ({@code PUBSUB SHARDCHANNELS}) without going through the client under test.
 */
public final class RedisServer implements AutoCloseable {
  private static final Pattern VERSION = Pattern.compile("v=(\\d+\\.\\d+\\.\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  private final Path executable;
  private final int port;
  private final Path log;
  // Guarded by this.
  private Process process;
  private boolean closed;
  private String version;

  private RedisServer(Path executable, int port, Path log) {
    this.executable = executable;
    this.port = port;
    this.log = log;
  }

  /** Starts a server on a free port and waits until it answers PING. */
  public static RedisServer onFreePort() {
    Path executable = find("redis-server").orElseThrow(() -> new IllegalStateException(
        "redis-server is not installed: the Redis tests need a real one (run scripts/test, "
            + "or apt-get install redis-server)"));
    int port = freePort();
    Path dir = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")), "target", "redis");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + dir, e);
    }
    RedisServer server = new RedisServer(executable, port, dir.resolve("redis-" + port + ".log"));
    try {
      server.start();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** (Re)starts the server on its port, after {@link #stop()} too, and waits until it answers PING. */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (process != null && process.isAlive()) {
      return;
    }
    List<String> command = List.of(executable.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", log.getParent().toString());
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + command, e);
    }
    Process started = process;
    await("redis-server on port " + port + " to answer PING (log: " + log + ")")
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptionsInstanceOf(IllegalStateException.class) // not listening yet
        .until(() -> {
          if (!started.isAlive()) {
            throw new AssertionError("redis-server exited " + started.exitValue() + "; see " + log);
          }
          return "PONG".equals(command("PING"));
        });
  }

  /** Kills the server (SIGKILL: no goodbye to clients) and waits until it has gone. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server on port " + port + " did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** The server's version, e.g. {@code 7.0.15} (from {@code redis-server --version}). */
  public synchronized String version() {
    if (version == null) {
      try {
        Process p = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        Matcher m = VERSION.matcher(out);
        if (!m.find()) {
          throw new IllegalStateException("no version in: " + out);
        }
        version = m.group(1);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return version;
  }

  /** True from Redis 7.0: SSUBSCRIBE, SPUBLISH, PUBSUB SHARDCHANNELS. */
  public boolean hasShardedPubSub() {
    return Integer.parseInt(version().split("\\.")[0]) >= 7;
  }

  /**
   * Channels subscribed on the server by anyone: {@code PUBSUB SHARDCHANNELS} where the server has
   * sharded pub/sub, {@code PUBSUB CHANNELS} otherwise.
   */
  public List<String> channels() {
    return channels(hasShardedPubSub());
  }

  @SuppressWarnings("unchecked")
  public List<String> channels(boolean sharded) {
    Object reply = command("PUBSUB", sharded ? "SHARDCHANNELS" : "CHANNELS");
    return (List<String>) reply;
  }

  /**
   * Sends one command on a new connection and returns its reply: a String for simple and bulk
   * strings, a Long for integers, a List for arrays, null for a null reply. An error reply throws.
   */
  public Object command(String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      socket.setSoTimeout(2_000);
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
        request.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      return reply(in);
    } catch (IOException e) {
      throw new IllegalStateException("redis on port " + port + ": " + e, e);
    }
  }

  private static Object reply(BufferedReader in) throws IOException {
    String line = in.readLine();
    if (line == null) {
      throw new IOException("connection closed before a reply");
    }
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case '+':
        return rest;
      case '-':
        throw new IllegalStateException("redis error: " + rest);
      case ':':
        return Long.parseLong(rest);
      case '$': {
        int n = Integer.parseInt(rest);
        if (n < 0) {
          return null;
        }
        char[] buf = new char[n];
        int read = 0;
        while (read < n) {
          int r = in.read(buf, read, n - read);
          if (r < 0) {
            throw new IOException("short bulk string");
          }
          read += r;
        }
        in.readLine();
        return new String(buf);
      }
      case '*': {
        int n = Integer.parseInt(rest);
        if (n < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(reply(in));
        }
        return items;
      }
      default:
        throw new IOException("unexpected reply: " + line);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stop();
    closed = true;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Optional<Path> find(String name) {
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(path == null ? List.of() : List.of(path.split(File.pathSeparator)));
    dirs.add("/usr/bin");
    dirs.add("/usr/local/bin");
    for (String dir : dirs) {
      Path candidate = Paths.get(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
