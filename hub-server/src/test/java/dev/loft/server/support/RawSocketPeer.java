package dev.loft.server.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A peer that does the WebSocket handshake over a plain socket and then never reads or answers
 * anything: the frozen process or half-dead link that a real client library would never imitate.
 */
public final class RawSocketPeer implements AutoCloseable {
  private final Socket socket;

  private RawSocketPeer(Socket socket) {
    this.socket = socket;
  }

  /** Connects as {@code peerId} and returns once the hub answered 101 Switching Protocols. */
  public static RawSocketPeer connect(URI hub, String peerId) throws IOException {
    Socket s = new Socket(hub.getHost(), hub.getPort());
    s.setSoTimeout(5_000);
    String key = Base64.getEncoder().encodeToString("loft-test-key-16".getBytes(StandardCharsets.US_ASCII));
    String request = "GET /?peerId=" + peerId + " HTTP/1.1\r\n"
        + "Host: " + hub.getHost() + ":" + hub.getPort() + "\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    OutputStream out = s.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IOException("handshake refused: " + head);
    }
    return new RawSocketPeer(s);
  }

  /** Sends one text frame (masked with a zero key, as a client must mask; payload under 64 KiB). */
  public void sendText(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xFF);
    }
    frame.write(new byte[4]); // mask key 0: the payload goes as it is
    frame.write(payload);
    socket.getOutputStream().write(frame.toByteArray());
    socket.getOutputStream().flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
