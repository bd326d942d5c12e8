package dev.loft.stress;

import dev.loft.stress.ws.Frames;
import dev.loft.stress.ws.Handshake;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Blocking sockets for the abuse attacks that a well-behaved WebSocket client cannot send (frames
 * while never reading, a header that never ends, a handshake reset at once). One thread per
 * socket; these attacks use few sockets at a time.
 */
final class RawSockets {
  private RawSockets() {}

  /** Raw sockets bind 127.0.0.100..163, so that they share neither the engine's addresses nor the topic hog's. */
  static final int FIRST_SOURCE = 100;

  static final int SOURCES = 64;

  /** The source address (its last byte) of the {@code k}-th raw socket. */
  static int source(int k) {
    return FIRST_SOURCE + k % SOURCES;
  }

  static boolean isSource(int last) {
    return last >= FIRST_SOURCE && last < FIRST_SOURCE + SOURCES;
  }

  static InetAddress loopback(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A connected socket from 127.0.0.{@code sourceLast}; {@code rcvbuf} > 0 sets SO_RCVBUF first. */
  static Socket open(URI ws, int sourceLast, int rcvbuf) throws IOException {
    Socket s = new Socket();
    s.setReuseAddress(true);
    s.setTcpNoDelay(true);
    if (rcvbuf > 0) {
      s.setReceiveBufferSize(rcvbuf);
    }
    s.bind(new InetSocketAddress(loopback(sourceLast), 0));
    s.connect(new InetSocketAddress(InetAddress.getByName(ws.getHost()), ws.getPort() < 0 ? 80 : ws.getPort()), 5_000);
    return s;
  }

  /** The request line and headers of an upgrade, without the blank line that ends them. */
  static String upgradeHead(URI ws, String peerId) {
    String path = (ws.getRawPath() == null || ws.getRawPath().isEmpty() ? "/" : ws.getRawPath()) + "?peerId=" + peerId;
    return Handshake.head(ws, path, Handshake.newKey());
  }

  /** Sends a complete upgrade request and reads the response head; returns its status line. */
  static String handshake(Socket s, URI ws, String peerId) throws IOException {
    s.getOutputStream().write((upgradeHead(ws, peerId) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return readHead(s.getInputStream(), 16_384);
  }

  /** Reads byte by byte up to the blank line (no read-ahead: what follows stays in the socket). */
  static String readHead(InputStream in, int max) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(256);
    int state = 0;
    while (b.size() < max) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed during the handshake response" + (b.size() > 0 ? ": " + firstLine(b) : ""));
      }
      b.write(c);
      state = (c == '\r' && (state == 0 || state == 2)) ? state + 1 : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      if (state == 4) {
        return firstLine(b);
      }
    }
    throw new IOException("handshake response longer than " + max + " bytes");
  }

  private static String firstLine(ByteArrayOutputStream b) {
    String t = b.toString(StandardCharsets.ISO_8859_1);
    int i = t.indexOf("\r\n");
    return i < 0 ? t : t.substring(0, i);
  }

  static boolean is101(String statusLine) {
    return statusLine != null && statusLine.matches("HTTP/1\\.[01] 101.*");
  }

  /** {@code count} copies of one masked client frame ({@code opcode}, payload < 126 bytes) back to back. */
  static byte[] maskedFrames(int opcode, byte[] payload, int count) {
    if (payload.length > 125) {
      throw new IllegalArgumentException("payload must be < 126 bytes");
    }
    int len = 2 + 4 + payload.length;
    byte[] out = new byte[len * count];
    for (int k = 0; k < count; k++) {
      System.arraycopy(Frames.client(opcode, payload, 0, payload.length), 0, out, k * len, len);
    }
    return out;
  }

  /**
   * How a socket whose handshake is done ended, read from what the hub sent: skips frames (at most
   * {@code maxBytes}, for up to {@code millis}) until a close frame ("close 4000"), the end of the
   * stream ("eof without close frame"), a reset ("reset"), or the time runs out ("still open").
   */
  static String drainOutcome(Socket s, long millis, long maxBytes) {
    long end = System.nanoTime() + millis * 1_000_000L;
    try {
      InputStream in = s.getInputStream();
      byte[] hdr = new byte[14];
      long skipped = 0;
      while (System.nanoTime() < end && skipped < maxBytes) {
        s.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000L));
        readFully(in, hdr, 0, 2);
        int op = hdr[0] & 0x0F;
        long len = hdr[1] & 0x7F;
        if (len == 126) {
          readFully(in, hdr, 2, 2);
          len = ((hdr[2] & 0xFF) << 8) | (hdr[3] & 0xFF);
        } else if (len == 127) {
          readFully(in, hdr, 2, 8);
          len = 0;
          for (int k = 0; k < 8; k++) {
            len = (len << 8) | (hdr[2 + k] & 0xFF);
          }
        }
        if ((hdr[1] & 0x80) != 0) {
          readFully(in, hdr, 0, 4); // a hub never masks; skip the key if it did
        }
        if (op == 0x8) {
          byte[] p = new byte[(int) Math.min(len, 125)];
          readFully(in, p, 0, p.length);
          return p.length >= 2 ? "close " + (((p[0] & 0xFF) << 8) | (p[1] & 0xFF)) : "close (no code)";
        }
        skipFully(in, len);
        skipped += len + 2;
      }
      return "still open";
    } catch (SocketTimeoutException e) {
      return "still open";
    } catch (EOFException e) {
      return "eof without close frame";
    } catch (IOException e) {
      return outcomeOf(e);
    }
  }

  /** Reads an HTTP answer (or nothing) from a socket that sent a request: "http 431", "eof", "reset", "still open". */
  static String drainHttpOutcome(Socket s, long millis) {
    try {
      s.setSoTimeout((int) Math.max(1, millis));
      return "http " + statusCode(readHead(s.getInputStream(), 16_384));
    } catch (SocketTimeoutException e) {
      return "still open";
    } catch (EOFException e) {
      String m = e.getMessage();
      int i = m == null ? -1 : m.indexOf(": HTTP/");
      return i < 0 ? "eof without answer" : "http " + statusCode(m.substring(i + 2)) + " (cut)";
    } catch (IOException e) {
      return outcomeOf(e);
    }
  }

  static String statusCode(String statusLine) {
    String[] p = statusLine.split(" ");
    return p.length > 1 ? p[1] : statusLine;
  }

  /** "reset", "broken pipe" or the exception's text. */
  static String outcomeOf(IOException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (m.contains("reset")) {
      return "reset";
    }
    if (m.contains("broken pipe")) {
      return "broken pipe";
    }
    if (m.contains("socket closed")) {
      return "closed by the tool";
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
    int n = 0;
    while (n < len) {
      int r = in.read(b, off + n, len - n);
      if (r < 0) {
        throw new EOFException();
      }
      n += r;
    }
  }

  private static void skipFully(InputStream in, long len) throws IOException {
    byte[] junk = new byte[8192];
    while (len > 0) {
      int r = in.read(junk, 0, (int) Math.min(junk.length, len));
      if (r < 0) {
        throw new EOFException();
      }
      len -= r;
    }
  }

  static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // gone already
      }
    }
  }

  /** Closes with SO_LINGER 0: the kernel sends a TCP reset instead of a FIN. */
  static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // closing anyway
    }
    closeQuietly(s);
  }
}
