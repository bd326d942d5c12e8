package dev.loft.stress.ws;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Arrays;

/**
 * One client connection. Sending is allowed from any thread (a frame is written directly when the
 * socket accepts it, queued otherwise); reading and every callback happen on the selector thread.
 */
public final class WsConn {
  private static final int CONNECTING = 0;
  private static final int HANDSHAKE = 1;
  private static final int OPEN = 2;
  private static final int CLOSING = 3;
  private static final int CLOSED = 4;
  private static final long MAX_FRAME = 64L * 1024 * 1024;
  private static final long CLOSE_TIMEOUT_MS = 3_000;
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final WsEngine engine;
  private final Loop loop;
  private final URI uri;
  private final WsListener listener;
  private SocketChannel ch;
  private SelectionKey key;
  private boolean connected;
  private volatile int state = CONNECTING;
  private String wsKey;

  // guarded by this
  private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>(2);
  private boolean writeInterest;
  private boolean reading = true;
  private boolean tcpClosed;

  // loop thread only
  private byte[] pend;
  private int pendLen;
  private int need;
  private byte[] frag;
  private int fragLen;
  private boolean fragActive;
  private boolean closeSent;
  private boolean closeNotified;

  private volatile Object attachment;

  WsConn(WsEngine engine, Loop loop, URI uri, WsListener listener) {
    this.engine = engine;
    this.loop = loop;
    this.uri = uri;
    this.listener = listener;
  }

  public Object attachment() {
    return attachment;
  }

  public void attachment(Object value) {
    attachment = value;
  }

  public boolean isOpen() {
    return state == OPEN;
  }

  public boolean isClosed() {
    return state == CLOSED;
  }

  /** Frames queued in this process because the socket would not take them yet. */
  public synchronized int queuedFrames() {
    return out.size();
  }

  void attach(SocketChannel channel, boolean alreadyConnected) {
    ch = channel;
    connected = alreadyConnected;
  }

  void register(Selector selector) throws IOException {
    synchronized (this) {
      if (tcpClosed) {
        return;
      }
      key = ch.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
    }
    loop.schedule(
        engine.connectTimeoutMillis,
        () -> {
          if (state < OPEN) {
            fail(new IOException("connect/handshake timed out"));
          }
        });
    if (connected) {
      sendHandshake();
    }
  }

  void finishConnect() throws IOException {
    if (ch.finishConnect()) {
      synchronized (this) {
        connected = true;
        key.interestOps(SelectionKey.OP_READ | (out.isEmpty() ? 0 : SelectionKey.OP_WRITE));
      }
      sendHandshake();
    }
  }

  private void sendHandshake() {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    wsKey = Base64.getEncoder().encodeToString(nonce);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    String request =
        "GET " + path + " HTTP/1.1\r\n"
            + "Host: " + uri.getHost() + ":" + port + "\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: " + wsKey + "\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    state = HANDSHAKE;
    write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
  }

  // ------------------------------------------------------------------------------ sending

  /** Sends a text frame; false when the connection is not open. */
  public boolean sendText(String text) {
    return sendText(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends {@code utf8} (already valid UTF-8) as one masked text frame; false when not open. */
  public boolean sendText(byte[] utf8) {
    if (state != OPEN) {
      return false;
    }
    return write(frame(0x1, utf8, 0, utf8.length));
  }

  /** Starts the closing handshake (any thread). */
  public void close(int code, String reason) {
    loop.execute(
        () -> {
          if (state >= CLOSING) {
            return;
          }
          if (state < OPEN) {
            abort(1006, "closed before open", false);
            return;
          }
          state = CLOSING;
          closeSent = true;
          byte[] r = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
          byte[] p = new byte[2 + r.length];
          p[0] = (byte) (code >> 8);
          p[1] = (byte) code;
          System.arraycopy(r, 0, p, 2, r.length);
          write(frame(0x8, p, 0, p.length));
          loop.schedule(CLOSE_TIMEOUT_MS, () -> abort(1006, "close timed out", false));
        });
  }

  /** Stops (false) or resumes (true) reading the socket: a client that stops reading (any thread). */
  public void reading(boolean on) {
    loop.execute(
        () -> {
          synchronized (this) {
            reading = on;
            if (key != null && key.isValid() && connected) {
              int ops = key.interestOps();
              key.interestOps(on ? ops | SelectionKey.OP_READ : ops & ~SelectionKey.OP_READ);
            }
          }
        });
  }

  static ByteBuffer frame(int opcode, byte[] p, int off, int len) {
    int ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
    byte[] f = new byte[2 + ext + 4 + len];
    f[0] = (byte) (0x80 | opcode);
    int i;
    if (ext == 0) {
      f[1] = (byte) (0x80 | len);
      i = 2;
    } else if (ext == 2) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (len >>> 8);
      f[3] = (byte) len;
      i = 4;
    } else {
      f[1] = (byte) (0x80 | 127);
      long l = len;
      for (int k = 0; k < 8; k++) {
        f[2 + k] = (byte) (l >>> (56 - 8 * k));
      }
      i = 10;
    }
    int mask = ThreadLocalRandom.current().nextInt();
    byte m0 = (byte) (mask >>> 24);
    byte m1 = (byte) (mask >>> 16);
    byte m2 = (byte) (mask >>> 8);
    byte m3 = (byte) mask;
    f[i] = m0;
    f[i + 1] = m1;
    f[i + 2] = m2;
    f[i + 3] = m3;
    i += 4;
    int j = 0;
    for (; j + 3 < len; j += 4) {
      f[i + j] = (byte) (p[off + j] ^ m0);
      f[i + j + 1] = (byte) (p[off + j + 1] ^ m1);
      f[i + j + 2] = (byte) (p[off + j + 2] ^ m2);
      f[i + j + 3] = (byte) (p[off + j + 3] ^ m3);
    }
    for (; j < len; j++) {
      byte m = (j & 3) == 0 ? m0 : (j & 3) == 1 ? m1 : (j & 3) == 2 ? m2 : m3;
      f[i + j] = (byte) (p[off + j] ^ m);
    }
    return ByteBuffer.wrap(f);
  }

  private boolean write(ByteBuffer bb) {
    IOException failure = null;
    synchronized (this) {
      if (tcpClosed || ch == null) {
        return false;
      }
      engine.bytesOut.addAndGet(bb.remaining());
      if (out.isEmpty() && connected && key != null) {
        try {
          ch.write(bb);
        } catch (IOException e) {
          failure = e;
        }
        if (failure == null && !bb.hasRemaining()) {
          return true;
        }
      }
      if (failure == null) {
        out.add(bb);
        if (connected && key != null && key.isValid() && !writeInterest) {
          writeInterest = true;
          key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
          if (!loop.inLoop()) {
            loop.wakeup();
          }
        }
        return true;
      }
    }
    IOException e = failure;
    loop.execute(() -> fail(e));
    return false;
  }

  void flush() throws IOException {
    synchronized (this) {
      while (!out.isEmpty()) {
        ByteBuffer bb = out.peek();
        ch.write(bb);
        if (bb.hasRemaining()) {
          break;
        }
        out.poll();
      }
      if (out.isEmpty() && key.isValid()) {
        writeInterest = false;
        key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
      } else if (!out.isEmpty()) {
        writeInterest = true;
      }
    }
  }

  // ------------------------------------------------------------------------------ reading

  void read() throws IOException {
    int n;
    if (pend != null) {
      if (pendLen == pend.length) {
        pend = Arrays.copyOf(pend, Math.max(pend.length * 2, need));
      }
      n = ch.read(ByteBuffer.wrap(pend, pendLen, pend.length - pendLen));
      if (n > 0) {
        engine.bytesIn.addAndGet(n);
        pendLen += n;
        int used = parse(pend, 0, pendLen);
        if (state == CLOSED) {
          return;
        }
        if (used == pendLen) {
          pend = null;
          pendLen = 0;
        } else if (used > 0) {
          System.arraycopy(pend, used, pend, 0, pendLen - used);
          pendLen -= used;
        }
        if (pend != null && need > pend.length) {
          pend = Arrays.copyOf(pend, need);
        }
      }
    } else {
      byte[] b = loop.readBuf;
      n = ch.read(ByteBuffer.wrap(b));
      if (n > 0) {
        engine.bytesIn.addAndGet(n);
        int used = parse(b, 0, n);
        if (state == CLOSED) {
          return;
        }
        if (used < n) {
          int rest = n - used;
          pend = new byte[Math.max(Math.max(rest * 2, need), 4096)];
          System.arraycopy(b, used, pend, 0, rest);
          pendLen = rest;
        }
      }
    }
    if (n < 0) {
      abort(1006, "connection closed by the hub without a close frame", true);
    }
  }

  private int parse(byte[] b, int off, int end) throws IOException {
    int p = off;
    need = 0;
    while (p < end && state != CLOSED) {
      if (state == HANDSHAKE) {
        int h = indexOfHeaderEnd(b, p, end);
        if (h < 0) {
          if (end - p > 16_384) {
            throw new IOException("handshake response too large");
          }
          need = end - p + 1024;
          return p;
        }
        handshakeResponse(new String(b, p, h - p, StandardCharsets.ISO_8859_1));
        p = h + 4;
        continue;
      }
      if (end - p < 2) {
        need = 14;
        return p;
      }
      int b0 = b[p] & 0xFF;
      int b1 = b[p + 1] & 0xFF;
      int hl = 2;
      long len = b1 & 0x7F;
      if (len == 126) {
        if (end - p < 4) {
          need = 14;
          return p;
        }
        len = ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
        hl = 4;
      } else if (len == 127) {
        if (end - p < 10) {
          need = 14;
          return p;
        }
        len = 0;
        for (int k = 0; k < 8; k++) {
          len = (len << 8) | (b[p + 2 + k] & 0xFF);
        }
        hl = 10;
      }
      boolean masked = (b1 & 0x80) != 0;
      if (masked) {
        hl += 4;
      }
      if (len > MAX_FRAME || len < 0) {
        throw new IOException("frame of " + len + " bytes is too large");
      }
      if (end - p < hl + len) {
        need = (int) (hl + len);
        return p;
      }
      int ps = p + hl;
      int pl = (int) len;
      if (masked) {
        for (int j = 0; j < pl; j++) {
          b[ps + j] ^= b[ps - 4 + (j & 3)];
        }
      }
      onFrame((b0 & 0x80) != 0, b0 & 0x0F, b, ps, pl);
      p = ps + pl;
    }
    return p;
  }

  private static int indexOfHeaderEnd(byte[] b, int from, int end) {
    for (int i = from; i + 3 < end; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void handshakeResponse(String head) throws IOException {
    String[] lines = head.split("\r\n");
    if (lines.length == 0 || !lines[0].matches("HTTP/1\\.[01] 101.*")) {
      abort(1006, "handshake refused: " + (lines.length == 0 ? "" : lines[0]), true);
      return;
    }
    String expected;
    try {
      byte[] sha =
          MessageDigest.getInstance("SHA-1")
              .digest((wsKey + GUID).getBytes(StandardCharsets.ISO_8859_1));
      expected = Base64.getEncoder().encodeToString(sha);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    boolean ok = false;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0
          && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")) {
        ok = line.substring(colon + 1).trim().equals(expected);
      }
    }
    if (!ok) {
      throw new IOException("bad Sec-WebSocket-Accept in handshake response");
    }
    state = OPEN;
    engine.opened.incrementAndGet();
    listener.onOpen(this);
  }

  private void onFrame(boolean fin, int op, byte[] b, int off, int len) {
    switch (op) {
      case 0x0: // continuation
        appendFrag(b, off, len);
        if (fin && fragActive) {
          fragActive = false;
          int l = fragLen;
          fragLen = 0;
          byte[] f = frag;
          frag = null;
          if (state == OPEN || state == CLOSING) {
            listener.onText(this, f, 0, l);
          }
        }
        break;
      case 0x1:
      case 0x2:
        if (fin) {
          if (state == OPEN || state == CLOSING) {
            listener.onText(this, b, off, len);
          }
        } else {
          fragActive = true;
          fragLen = 0;
          appendFrag(b, off, len);
        }
        break;
      case 0x8:
        int code = len >= 2 ? ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF) : 1005;
        String reason = len > 2 ? new String(b, off + 2, len - 2, StandardCharsets.UTF_8) : "";
        boolean remote = !closeSent;
        if (!closeSent) {
          closeSent = true;
          byte[] echo = len >= 2 ? new byte[] {b[off], b[off + 1]} : new byte[0];
          write(frame(0x8, echo, 0, echo.length));
        }
        state = CLOSING;
        notifyClose(code, reason, remote);
        // The hub closes the TCP connection after the closing handshake; do it ourselves if not.
        loop.schedule(CLOSE_TIMEOUT_MS, () -> abort(code, reason, remote));
        break;
      case 0x9:
        write(frame(0xA, b, off, len));
        break;
      default:
        break; // pong or reserved
    }
  }

  private void appendFrag(byte[] b, int off, int len) {
    if (frag == null) {
      frag = new byte[Math.max(4096, len * 2)];
    } else if (fragLen + len > frag.length) {
      frag = Arrays.copyOf(frag, Math.max(frag.length * 2, fragLen + len));
    }
    System.arraycopy(b, off, frag, fragLen, len);
    fragLen += len;
  }

  // ------------------------------------------------------------------------------ closing

  /** Drops the TCP connection at once (any thread). */
  public void abort() {
    abort("aborted by the client");
  }

  /** Drops the TCP connection at once (any thread); listeners see 1006 with {@code reason}. */
  public void abort(String reason) {
    loop.execute(() -> abort(1006, reason, false));
  }

  /** Runs {@code task} on this connection's selector thread after {@code delayMillis}. */
  public void schedule(long delayMillis, Runnable task) {
    loop.schedule(delayMillis, task);
  }

  void fail(Throwable e) {
    abort(1006, String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage()), true);
  }

  void failBeforeRegister(Throwable e) {
    synchronized (this) {
      tcpClosed = true;
    }
    state = CLOSED;
    notifyClose(1006, String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage()), false);
  }

  private void abort(int code, String reason, boolean remote) {
    synchronized (this) {
      if (tcpClosed) {
        return;
      }
      tcpClosed = true;
      out.clear();
      if (key != null) {
        key.cancel();
      }
    }
    try {
      ch.close();
    } catch (IOException ignored) {
      // already gone
    }
    engine.live.decrementAndGet();
    state = CLOSED;
    pend = null;
    frag = null;
    notifyClose(code, reason, remote);
  }

  private void notifyClose(int code, String reason, boolean remote) {
    if (closeNotified) {
      return;
    }
    closeNotified = true;
    engine.closed.incrementAndGet();
    listener.onClose(this, code, reason, remote);
  }
}
