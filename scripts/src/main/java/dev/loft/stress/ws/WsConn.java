package dev.loft.stress.ws;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

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

  private final WsEngine engine;
  private final Loop loop;
  private final URI uri;
  private final WsListener listener;
  private SocketChannel ch;
  private SelectionKey key;
  private boolean connected;
  private volatile int state = CONNECTING;

  // guarded by this
  private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>(2);
  private boolean writeInterest;
  private boolean reading = true;
  private boolean tcpClosed;

  // loop thread only
  private Handshake handshake;
  private final FrameDecoder decoder = new FrameDecoder(MAX_FRAME, new Incoming());
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
    handshake = new Handshake(uri);
    state = HANDSHAKE;
    write(ByteBuffer.wrap(handshake.request()));
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
    return write(frame(Frames.TEXT, utf8, 0, utf8.length));
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
          byte[] p = Frames.closePayload(code, reason);
          write(frame(Frames.CLOSE, p, 0, p.length));
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

  private static ByteBuffer frame(int opcode, byte[] p, int off, int len) {
    return ByteBuffer.wrap(Frames.client(opcode, p, off, len));
  }

  private boolean write(ByteBuffer bb) {
    IOException failure = null;
    synchronized (this) {
      if (tcpClosed || ch == null) {
        return false;
      }
      engine.bytesOut.addAndGet(bb.remaining());
      if (engine.batchedWrites && connected && key != null && loop.inLoop()) {
        out.add(bb); // written with whatever else this pass produces, at the end of the pass
        loop.flushAtEndOfPass(this);
        return true;
      }
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

  /** Batched mode, at the end of a loop pass: everything queued, in one gathering write. */
  void flushGathered() throws IOException {
    synchronized (this) {
      if (tcpClosed || out.isEmpty() || !key.isValid()) {
        return;
      }
      ch.write(out.toArray(new ByteBuffer[0]));
      while (!out.isEmpty() && !out.peek().hasRemaining()) {
        out.poll();
      }
      if (!out.isEmpty() && !writeInterest) { // the socket did not take it all: the selector finishes
        writeInterest = true;
        key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
      }
    }
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
    byte[] b = loop.readBuf;
    int n = ch.read(ByteBuffer.wrap(b));
    if (n > 0) {
      engine.bytesIn.addAndGet(n);
      received(b, n);
    } else if (n < 0) {
      abort(1006, "connection closed by the hub without a close frame", true);
    }
  }

  private void received(byte[] b, int n) throws IOException {
    int off = 0;
    if (state == HANDSHAKE) {
      int head = handshake.feed(b, 0, n);
      if (head < 0) {
        return;
      }
      handshake = null;
      state = OPEN;
      engine.opened.incrementAndGet();
      listener.onOpen(this);
      off = head;
    }
    if (state != CLOSED && off < n) {
      decoder.feed(b, off, n - off);
    }
  }

  /** What the hub's frames say, on the selector thread. */
  private final class Incoming implements FrameDecoder.Sink {
    @Override
    public void onMessage(byte[] b, int off, int len) {
      if (state == OPEN || state == CLOSING) {
        listener.onText(WsConn.this, b, off, len);
      }
    }

    @Override
    public void onPing(byte[] b, int off, int len) {
      write(frame(Frames.PONG, b, off, len));
    }

    @Override
    public void onClose(int code, String reason) {
      boolean remote = !closeSent;
      if (!closeSent) {
        closeSent = true;
        byte[] echo = code == FrameDecoder.NO_CODE ? new byte[0] : Frames.closePayload(code, null);
        write(frame(Frames.CLOSE, echo, 0, echo.length));
      }
      state = CLOSING;
      notifyClose(code, reason, remote);
      // The hub closes the TCP connection after the closing handshake; do it ourselves if not.
      loop.schedule(CLOSE_TIMEOUT_MS, () -> abort(code, reason, remote));
    }
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
    decoder.stop();
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
