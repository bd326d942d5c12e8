package dev.loft.stress.ws;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** The client's side of the opening handshake (RFC 6455 section 4.1): the request, and the check of the answer. */
public final class Handshake {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int MAX_RESPONSE = 16_384;

  private final String key = newKey();
  private final byte[] request;
  private byte[] response = new byte[512];
  private int responseLen;

  Handshake(URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    request = (head(uri, path, key) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A fresh Sec-WebSocket-Key: 16 random bytes in base64. */
  public static String newKey() {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  /** The request line and headers of an upgrade for {@code path} (with its query), without the blank line that ends them. */
  public static String head(URI uri, String path, String key) {
    return "GET " + path + " HTTP/1.1\r\n"
        + "Host: " + uri.getHost() + ":" + (uri.getPort() < 0 ? 80 : uri.getPort()) + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n";
  }

  byte[] request() {
    return request;
  }

  /**
   * Takes the next bytes from the server: -1 while the answer's head is incomplete, else how many
   * of these bytes belong to it (those after it are frames). Throws when the server refused the
   * upgrade or answered with the wrong Sec-WebSocket-Accept.
   */
  int feed(byte[] b, int off, int len) throws IOException {
    int before = responseLen;
    if (responseLen + len > response.length) {
      response = Arrays.copyOf(response, Math.max(response.length * 2, responseLen + len));
    }
    System.arraycopy(b, off, response, responseLen, len);
    responseLen += len;
    for (int i = Math.max(0, before - 3); i + 3 < responseLen; i++) {
      if (response[i] == '\r' && response[i + 1] == '\n' && response[i + 2] == '\r' && response[i + 3] == '\n') {
        check(new String(response, 0, i, StandardCharsets.ISO_8859_1));
        response = null;
        return i + 4 - before;
      }
    }
    if (responseLen > MAX_RESPONSE) {
      throw new IOException("handshake response too large");
    }
    return -1;
  }

  private void check(String head) throws IOException {
    String[] lines = head.split("\r\n");
    if (lines.length == 0 || !lines[0].matches("HTTP/1\\.[01] 101.*")) {
      throw new IOException("handshake refused: " + (lines.length == 0 ? "" : lines[0]));
    }
    String expected = accept(key);
    boolean ok = false;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")) {
        ok = line.substring(colon + 1).trim().equals(expected);
      }
    }
    if (!ok) {
      throw new IOException("bad Sec-WebSocket-Accept in handshake response");
    }
  }

  /** The Sec-WebSocket-Accept a server must answer {@code key} with. */
  static String accept(String key) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
