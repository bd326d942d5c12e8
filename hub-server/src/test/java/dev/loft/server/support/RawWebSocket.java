package dev.loft.server.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket client on a plain socket that does what an attacker does and a real client library
 * would not: any opcode, fragments, pings without reading, a local address of its choice (any of
 * 127.0.0.0/8, so one test can be "several addresses"), a reset instead of a close. It reads the
 * hub's frames only when asked, and parses every byte it reads, so a corrupt stream fails loudly.
 */
public final class RawWebSocket implements AutoCloseable {
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CONTINUATION = 0x0;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** One frame from the hub. */
  public record Frame(int opcode, boolean fin, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** For a close frame: its code, or -1. */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final String peerId;

  private RawWebSocket(Socket socket, String peerId) throws IOException {
    this.peerId = peerId;
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** A TCP connection from {@code local} (null: any), no handshake yet. */
  public static Socket socket(URI hub, String local, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer); // before connect, so the window is small from the start
    }
    if (local != null) {
      s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
    }
    s.connect(new InetSocketAddress(hub.getHost(), hub.getPort()), 5_000);
    s.setSoTimeout(10_000);
    return s;
  }

  public static RawWebSocket connect(URI hub, String peerId) throws IOException {
    return connect(hub, peerId, null, 0);
  }

  /** Connects as {@code peerId} from {@code local}; returns once the hub answered 101. */
  public static RawWebSocket connect(URI hub, String peerId, String local, int receiveBuffer) throws IOException {
    Socket s = socket(hub, local, receiveBuffer);
    try {
      String key = Base64.getEncoder().encodeToString("loft-test-key-16".getBytes(StandardCharsets.US_ASCII));
      String request = "GET /?peerId=" + peerId + " HTTP/1.1\r\n"
          + "Host: " + hub.getHost() + ":" + hub.getPort() + "\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String head = readHead(s);
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new IOException("handshake refused: " + head);
      }
      return new RawWebSocket(s, peerId);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Reads an HTTP response head (up to the blank line). */
  public static String readHead(Socket s) throws IOException {
    StringBuilder head = new StringBuilder();
    var in = s.getInputStream();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** Sends one masked frame (zero mask key: the payload goes as it is). */
  public RawWebSocket send(int opcode, boolean fin, byte[] payload) throws IOException {
    out.write(clientFrame(opcode, fin, payload));
    return this;
  }

  /** Sends several text frames in one write, so that the hub reads them together. */
  public RawWebSocket sendTextsInOneWrite(String... texts) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (String text : texts) {
      all.write(clientFrame(TEXT, true, text.getBytes(StandardCharsets.UTF_8)));
    }
    out.write(all.toByteArray());
    return this;
  }

  /** One masked client frame's bytes (zero mask key). */
  public static byte[] clientFrame(int opcode, boolean fin, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length <= 0xFFFF) {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xFF);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >> shift) & 0xFF);
      }
    }
    frame.write(new byte[4]);
    frame.write(payload);
    return frame.toByteArray();
  }

  public RawWebSocket sendText(String text) throws IOException {
    return send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes raw bytes (a frame header alone, say). */
  public void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
  }

  /** Reads and parses the next frame from the hub (server frames are never masked). */
  public Frame read() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    if ((b1 & 0x80) != 0) {
      throw new IOException("the hub sent a masked frame: corrupt stream");
    }
    if ((b0 & 0x70) != 0) {
      throw new IOException("reserved bits set (0x" + Integer.toHexString(b0) + "): corrupt stream");
    }
    int opcode = b0 & 0x0F;
    if (opcode != TEXT && opcode != BINARY && opcode != CONTINUATION && opcode != CLOSE && opcode != PING && opcode != PONG) {
      throw new IOException("unknown opcode " + opcode + ": corrupt stream");
    }
    long length = b1 & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    if (length < 0 || length > 16 * 1024 * 1024) {
      throw new IOException("frame length " + length + ": corrupt stream");
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(opcode, (b0 & 0x80) != 0, payload);
  }

  /** Reads frames until a close frame; returns its code (-1 if the socket ended without one). */
  public int readUntilClosed() {
    try {
      while (true) {
        Frame f = read();
        if (f.opcode() == CLOSE) {
          return f.closeCode();
        }
      }
    } catch (IOException e) {
      return -1;
    }
  }

  public String peerId() {
    return peerId;
  }

  public Socket socket() {
    return socket;
  }

  /** Ends the connection with a TCP reset (SO_LINGER 0), no close frame. */
  public void reset() {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
  }
}
