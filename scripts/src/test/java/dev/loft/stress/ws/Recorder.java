package dev.loft.stress.ws;

import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A decoder whose frames are written down as "message:…", "ping:…", "close:code:reason", plus frame builders. */
final class Recorder implements FrameDecoder.Sink {
  final List<String> events = new ArrayList<>();
  byte[] lastMessage;
  final FrameDecoder decoder;

  Recorder() {
    this(64L * 1024 * 1024);
  }

  Recorder(long maxMessage) {
    decoder = new FrameDecoder(maxMessage, this);
  }

  @Override
  public void onMessage(byte[] b, int off, int len) {
    lastMessage = Arrays.copyOfRange(b, off, off + len);
    events.add("message:" + new String(b, off, len, StandardCharsets.UTF_8));
  }

  @Override
  public void onPing(byte[] b, int off, int len) {
    events.add("ping:" + new String(b, off, len, StandardCharsets.UTF_8));
  }

  @Override
  public void onClose(int code, String reason) {
    events.add("close:" + code + ":" + reason);
  }

  Recorder feed(byte[] bytes) throws ProtocolException {
    decoder.feed(bytes, 0, bytes.length);
    return this;
  }

  /** Feeds {@code bytes} in reads of {@code size} bytes (the last one shorter). */
  Recorder feedInReadsOf(int size, byte[] bytes) throws ProtocolException {
    for (int i = 0; i < bytes.length; i += size) {
      // a copy per read: the decoder may not keep the caller's buffer past the call
      byte[] read = Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size));
      decoder.feed(read, 0, read.length);
    }
    return this;
  }

  /** A frame as a server sends it: unmasked. */
  static byte[] server(int opcode, boolean fin, String payload) {
    return server(opcode, fin, payload.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] server(int opcode, boolean fin, byte[] payload) {
    return Frames.encode(opcode, fin, payload, 0, payload.length, null);
  }

  static byte[] text(String s) {
    return server(Frames.TEXT, true, s);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
