package dev.loft.server.transport;

import static dev.loft.server.transport.ClientFrames.BINARY;
import static dev.loft.server.transport.ClientFrames.CLOSE;
import static dev.loft.server.transport.ClientFrames.CONTINUATION;
import static dev.loft.server.transport.ClientFrames.FIN;
import static dev.loft.server.transport.ClientFrames.PING;
import static dev.loft.server.transport.ClientFrames.PONG;
import static dev.loft.server.transport.ClientFrames.RSV1;
import static dev.loft.server.transport.ClientFrames.RSV2;
import static dev.loft.server.transport.ClientFrames.RSV3;
import static dev.loft.server.transport.ClientFrames.TEXT;
import static dev.loft.server.transport.ClientFrames.closePayload;
import static dev.loft.server.transport.ClientFrames.concat;
import static dev.loft.server.transport.ClientFrames.frame;
import static dev.loft.server.transport.ClientFrames.header64;
import static dev.loft.server.transport.ClientFrames.range;
import static dev.loft.server.transport.ClientFrames.text;
import static dev.loft.server.transport.ClientFrames.utf8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loft.protocol.PeerIds;
import dev.loft.server.HubServer;
import dev.loft.server.config.HubConfig;
import dev.loft.server.config.HubConfig.InboundParser;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.RawWebSocket;
import dev.loft.server.support.TestPeer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Autobahn-style cases of RFC 6455 for what a client sends, over real sockets, against a real hub
 * with each inbound parser: {@code fast} (Loft's {@link FastInboundDraft}) must do what the RFC
 * says; {@code library} (Java-WebSocket 1.6.0's own parser) does the same except where a row names
 * how it deviates, and then the row asserts the deviation, so that a change in either shows here.
 *
 * <p>Each case: a new raw connection sends its frames (masked with random keys; see {@link
 * ClientFrames}); then either the hub's close frame and its code arrive, or a ping probe is
 * answered (the connection is open). What reached the hub's core is read at a subscriber: the
 * published messages that arrived before a marker published afterwards from another peer, in
 * order, so a lost, corrupt or extra message fails the case too.
 */
class InboundFramesConformToRfc6455Test {
  private static final String TOPIC = "conf";
  private static final int MAX_FRAME_BYTES = HubConfig.DEFAULT_MAX_FRAME_BYTES;
  private static final Map<InboundParser, Hub> HUBS = new EnumMap<>(InboundParser.class);
  /** Case → parser → what happened, printed as a table at the end. */
  private static final Map<String, Map<InboundParser, String>> OBSERVED = new LinkedHashMap<>();

  // ------------------------------------------------------------------------------ the table

  static Stream<Arguments> table() {
    List<Row> rows = List.of(
        // Lengths: the 7-, 16- and 64-bit forms and their boundaries.
        row("an empty text message is lost", s -> {
          s.write(text(""));
          s.expectError("BAD_JSON");
        }, open()),
        sized(125), sized(126), sized(65_535), sized(65_536),
        // Fragments.
        row("a message in two fragments is lost or corrupt", s -> {
          byte[] m = publish("two-fragments");
          s.write(frame(TEXT, range(m, 0, 10)), frame(FIN | CONTINUATION, range(m, 10, m.length)));
        }, open("two-fragments")),
        row("a message in many fragments, empty ones among them, is lost or corrupt", s -> {
          byte[] m = publish("many-fragments");
          List<byte[]> frames = new ArrayList<>();
          frames.add(frame(TEXT, range(m, 0, 1)));
          for (int i = 1; i < m.length; i += 3) {
            frames.add(frame(CONTINUATION, new byte[0]));
            frames.add(frame((i + 3 >= m.length ? FIN : 0) | CONTINUATION, range(m, i, Math.min(m.length, i + 3))));
          }
          s.write(frames.toArray(byte[][]::new));
        }, open("many-fragments")),
        row("a ping between fragments is not answered or breaks the message", s -> {
          byte[] m = publish("ping-between");
          s.write(frame(TEXT, range(m, 0, 20)), frame(FIN | PING, utf8("mid")), frame(FIN | CONTINUATION, range(m, 20, m.length)));
          s.expectPong("mid");
        }, open("ping-between")),
        row("a pong between fragments breaks the message", s -> {
          byte[] m = publish("pong-between");
          s.write(frame(TEXT, range(m, 0, 20)), frame(FIN | PONG, utf8("unasked")), frame(FIN | CONTINUATION, range(m, 20, m.length)));
        }, open("pong-between")),
        // Reads.
        row("a frame written one byte per write is lost or corrupt", s -> {
          s.writeBytewise(text(json("bytewise-" + "b".repeat(300))));
        }, open("bytewise-" + "b".repeat(300))),
        row("a 64-bit length header written one byte per write is misread", s -> {
          byte[] f = text(jsonOfSize(65_536, 'h'));
          s.writeBytewise(range(f, 0, 14));
          s.write(range(f, 14, 20_000));
          s.write(range(f, 20_000, 50_001));
          s.write(range(f, 50_001, f.length));
        }, open(filler(65_536, 'h'))),
        row("several frames in one write are lost or reordered", s -> {
          byte[] c = publish("one-write-c");
          s.write(text(json("one-write-a")), frame(FIN | PING, utf8("x")), text(json("one-write-b")),
              frame(TEXT, range(c, 0, 7)), frame(FIN | CONTINUATION, range(c, 7, c.length)));
          s.expectPong("x");
        }, open("one-write-a", "one-write-b", "one-write-c")),
        // Valid UTF-8 cut anywhere.
        row("2-, 3- and 4-byte code points cut by fragments at every byte are refused", s -> {
          byte[] m = publish(MULTIBYTE);
          int dataAt = m.length - utf8(MULTIBYTE).length - 2;
          List<byte[]> frames = new ArrayList<>();
          frames.add(frame(TEXT, range(m, 0, dataAt)));
          for (int i = dataAt; i < m.length - 2; i++) {
            frames.add(frame(CONTINUATION, range(m, i, i + 1)));
          }
          frames.add(frame(FIN | CONTINUATION, range(m, m.length - 2, m.length)));
          s.write(frames.toArray(byte[][]::new));
        }, open(MULTIBYTE)),
        row("a 4-byte code point cut by a read is refused", s -> {
          byte[] m = publish("read-cut-\ud83d\ude00-end");
          byte[] f = frame(FIN | TEXT, m);
          int cut = 6 + indexOf(m, 0, utf8("\ud83d\ude00")) + 2; // inside the 4 bytes (after a 6-byte header)
          s.awaitNothingHeld();
          s.writeAndAwaitHeld(range(f, 0, cut));
          s.write(range(f, cut, f.length));
        }, open("read-cut-\ud83d\ude00-end")),
        row("a code point cut by a fragment and another cut by a read are refused", s -> {
          byte[] m = publish("both-\u20ac-\ud83d\ude00-cut");
          int fragmentCut = indexOf(m, 0, utf8("\u20ac")) + 1;
          byte[] second = frame(FIN | CONTINUATION, range(m, fragmentCut, m.length));
          int readCut = 6 + indexOf(m, 0, utf8("\ud83d\ude00")) - fragmentCut + 2;
          s.awaitNothingHeld();
          s.writeAndAwaitHeld(frame(TEXT, range(m, 0, fragmentCut)));
          s.writeAndAwaitHeld(range(second, 0, readCut));
          s.write(range(second, readCut, second.length));
        }, open("both-\u20ac-\ud83d\ude00-cut")),
        // Frames the RFC refuses.
        row("an unmasked client frame is accepted (RFC 6455 5.1: 1002)",
            s -> s.write(frame(FIN | TEXT, publish("unmasked"), false)), closed(1002))
            .library("the library never checks the mask bit: the frame is processed", open("unmasked")),
        rsv(RSV1), rsv(RSV2), rsv(RSV3),
        row("unknown data opcode 3 is accepted", s -> s.write(frame(FIN | 0x3, utf8("x"))), closed(1002)),
        row("unknown control opcode 11 is accepted", s -> s.write(frame(FIN | 0xB, utf8("x"))), closed(1002)),
        row("a final continuation without a message is accepted",
            s -> s.write(frame(FIN | CONTINUATION, utf8("x"))), closed(1002)),
        row("a non-final continuation without a message is accepted",
            s -> s.write(frame(CONTINUATION, utf8("x"))), closed(1002)),
        row("a new text message before the last fragment is accepted",
            s -> s.write(frame(TEXT, utf8("{")), text(json("interleaved"))), closed(1002)),
        row("a binary start inside a fragmented text message is accepted",
            s -> s.write(frame(TEXT, utf8("{")), frame(BINARY, new byte[] {1, 2})), closed(1002)),
        row("a fragmented ping is accepted", s -> s.write(frame(PING, utf8("x"))), closed(1002)),
        row("a ping of 126 bytes is accepted", s -> s.write(frame(FIN | PING, new byte[126])), closed(1002)),
        row("a close frame of 126 bytes is accepted",
            s -> s.write(frame(FIN | CLOSE, closePayload(1000, new byte[124]))), closed(1002)),
        row("a 64-bit length with its top bit set is accepted",
            s -> s.write(header64(FIN | TEXT, 0x8000_0000_0000_0100L)), closed(1009)),
        row("a frame declared larger than max frame bytes is buffered",
            s -> s.write(header64(FIN | TEXT, MAX_FRAME_BYTES + 1L)), closed(1009)),
        row("a message larger than max frame bytes in fragments is buffered", s -> {
          byte[] half = "x".repeat(MAX_FRAME_BYTES / 2 + 1).getBytes(StandardCharsets.US_ASCII);
          s.write(frame(TEXT, half), frame(FIN | CONTINUATION, half));
        }, closed(1009)),
        row("more fragments than max fragments per message are buffered", s -> {
          List<byte[]> frames = new ArrayList<>(List.of(frame(TEXT, utf8("{"))));
          for (int i = 0; i < HubConfig.DEFAULT_MAX_FRAGMENTS_PER_MESSAGE; i++) {
            frames.add(frame(CONTINUATION, new byte[0]));
          }
          s.write(frames.toArray(byte[][]::new));
        }, closed(1009)),
        invalidUtf8("byte 0xFF", "ff"),
        invalidUtf8("overlong 2-byte NUL C0 80", "c080"),
        invalidUtf8("overlong 3-byte E0 80 AF", "e080af"),
        invalidUtf8("overlong 4-byte F0 80 80 AF", "f08080af"),
        invalidUtf8("UTF-16 surrogate ED A0 80", "eda080"),
        invalidUtf8("code point past U+10FFFF F4 90 80 80", "f4908080"),
        row("text ending inside a code point is accepted", s -> {
          byte[] m = publish("truncated");
          s.write(frame(FIN | TEXT, concat(m, new byte[] {(byte) 0xE2, (byte) 0x82})));
        }, closed(1007)),
        row("an invalid code point cut by a fragment is accepted", s -> {
          byte[] m = publish("x");
          int at = m.length - 3;
          s.write(frame(TEXT, concat(range(m, 0, at), new byte[] {(byte) 0xF0, (byte) 0x9F})),
              frame(FIN | CONTINUATION, range(m, at, m.length)));
        }, closed(1007)),
        // Close frames.
        row("a close frame of 1 byte is accepted", s -> s.write(frame(FIN | CLOSE, new byte[] {3})), closed(1002)),
        badCloseCode(0), badCloseCode(999), badCloseCode(1004), badCloseCode(1005), badCloseCode(1006),
        badCloseCode(1015), badCloseCode(1016), badCloseCode(2999), badCloseCode(5000),
        row("an empty close frame is not answered", s -> s.write(frame(FIN | CLOSE, new byte[0])), closed(1000)),
        goodCloseCode(1000), goodCloseCode(1001), goodCloseCode(1014), goodCloseCode(3000), goodCloseCode(4999),
        row("a close reason that is not UTF-8 is accepted",
            s -> s.write(frame(FIN | CLOSE, closePayload(1000, new byte[] {'o', (byte) 0xFF}))), closed(1007))
            .library("CloseFrame.isValid throws a NullPointerException (its reason is null), which the worker"
                + " logs: the connection stays open, the close is never answered", open()),
        // Binary, and what a read holds around a bad frame.
        row("a binary message is lost", s -> {
          s.write(frame(FIN | BINARY, new byte[] {1, 2, 3}));
          s.expectError("BAD_FRAME");
        }, open()),
        row("a fragmented binary message is lost", s -> {
          s.write(frame(BINARY, new byte[300]), frame(FIN | CONTINUATION, new byte[70_000]));
          s.expectError("BAD_FRAME");
        }, open()),
        row("good frames before a bad one in the same read are lost",
            s -> s.write(text(json("before-bad")), frame(FIN | RSV1 | TEXT, utf8("x"))), closed(1002, "before-bad"))
            .library("the library parses a whole read before it processes a frame: a bad frame loses the good"
                + " ones before it", closed(1002)),
        row("data after a close frame is processed",
            s -> s.write(frame(FIN | CLOSE, closePayload(1000, new byte[0])), text(json("after-close"))), closed(1000))
            .library("the library processes the frames after a close in the same read; whether the core still takes"
                + " them races with the close completing on the selector thread", closed(1000), closed(1000, "after-close")));
    return Stream.of(InboundParser.values())
        .flatMap(parser -> rows.stream().map(r -> Arguments.of(r.name, parser, r)));
  }

  private static Row sized(int bytes) {
    String form = bytes <= 125 ? "7-bit" : bytes <= 0xFFFF ? "16-bit" : "64-bit";
    char fill = (char) ('a' + (bytes % 26));
    return row("text of " + bytes + " bytes (" + form + " length) is lost or corrupt",
        s -> s.write(text(jsonOfSize(bytes, fill))), open(filler(bytes, fill)));
  }

  private static Row rsv(int bit) {
    return row("reserved bit 0x" + Integer.toHexString(bit) + " without an extension is accepted",
        s -> s.write(frame(FIN | bit | TEXT, publish("rsv"))), closed(1002));
  }

  private static Row invalidUtf8(String what, String hex) {
    return row("invalid UTF-8 (" + what + ") is accepted", s -> {
      byte[] m = publish("bad-utf8");
      int at = m.length - 2;
      s.write(frame(FIN | TEXT, concat(range(m, 0, at), HexFormat.of().parseHex(hex), range(m, at, m.length))));
    }, closed(1007));
  }

  private static Row badCloseCode(int code) {
    return row("close code " + code + " is accepted", s -> s.write(frame(FIN | CLOSE, closePayload(code, new byte[0]))),
        closed(1002));
  }

  private static Row goodCloseCode(int code) {
    return row("close code " + code + " with a reason is not echoed",
        s -> s.write(frame(FIN | CLOSE, closePayload(code, utf8("bye \u00e9")))), closed(code));
  }

  /** 2-, 3-, 4-byte sequences, twice each, between ASCII. */
  private static final String MULTIBYTE = "a\u00e9b\u20acc\ud83d\ude00d\u00dfe\u4e2df\ud800\udf48g";

  // ------------------------------------------------------------------------------ the test

  @ParameterizedTest(name = "[{1}] {0}")
  @MethodSource("table")
  void inboundFrames(String name, InboundParser parser, Row row) throws Exception {
    Hub hub = HUBS.get(parser);
    List<Outcome> expected = parser == InboundParser.LIBRARY ? row.library : List.of(row.rfc);
    Outcome observed;
    try (Sender s = hub.connect()) {
      row.script.run(s);
      observed = new Outcome(s.closeCodeOrOpen(), hub.deliveredUntilMarker());
    }
    synchronized (OBSERVED) {
      OBSERVED.computeIfAbsent(name, k -> new EnumMap<>(InboundParser.class)).put(parser, observed.toString());
    }
    assertTrue(expected.contains(observed), () -> "expected " + (expected.size() == 1 ? expected.get(0) : "one of " + expected)
        + ", got " + observed + (parser == InboundParser.LIBRARY && row.libraryNote != null
        ? ": the library's known deviation changed (" + row.libraryNote + ")" : ": RFC 6455"));
  }

  @BeforeAll
  static void start() {
    for (InboundParser parser : InboundParser.values()) {
      // One decoder thread: the marker's read is decoded after the case's read is done, its
      // deliveries written (the hub orders one link's frames, not frames from different peers).
      HUBS.put(parser, new Hub(Hubs.start(Hubs.config().inboundParser(parser).decoderThreads(1))));
    }
  }

  @AfterAll
  static void stop() {
    HUBS.values().forEach(Hub::close);
    StringBuilder table = new StringBuilder("| case (fails if) | RFC 6455 | fast | library |\n|---|---|---|---|\n");
    Map<String, Row> rows = table().map(a -> (Row) a.get()[2]).distinct()
        .collect(Collectors.toMap(r -> r.name, r -> r, (a, b) -> a, LinkedHashMap::new));
    OBSERVED.forEach((name, byParser) -> table.append("| ").append(name).append(" | ").append(rows.get(name).rfc)
        .append(" | ").append(byParser.get(InboundParser.FAST)).append(" | ").append(byParser.get(InboundParser.LIBRARY))
        .append(" |\n"));
    System.out.println("[conformance]\n" + table);
  }

  // ------------------------------------------------------------------------------ rows and outcomes

  interface Script {
    void run(Sender s) throws Exception;
  }

  static final class Row {
    final String name;
    final Script script;
    final Outcome rfc;
    List<Outcome> library;
    String libraryNote;

    Row(String name, Script script, Outcome rfc) {
      this.name = name;
      this.script = script;
      this.rfc = rfc;
      this.library = List.of(rfc);
    }

    /** Java-WebSocket 1.6.0 does otherwise, for the reason given: one of {@code outcomes}. */
    Row library(String why, Outcome... outcomes) {
      library = List.of(outcomes);
      libraryNote = why;
      return this;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Row row(String name, Script script, Outcome rfc) {
    return new Row(name, script, rfc);
  }

  /** The hub's close code (0: still open, -1: gone without a close frame), and what reached its core. */
  record Outcome(int closeCode, List<String> delivered) {
    @Override
    public String toString() {
      String messages = delivered.stream()
          .map(d -> d.length() > 24 ? d.length() + " chars" : d)
          .collect(Collectors.joining(", ", "[", "]"));
      return (closeCode == 0 ? "open" : "closed " + closeCode) + (delivered.isEmpty() ? "" : " " + messages);
    }
  }

  private static Outcome open(String... delivered) {
    return new Outcome(0, List.of(delivered));
  }

  private static Outcome closed(int code, String... delivered) {
    return new Outcome(code, List.of(delivered));
  }

  // ------------------------------------------------------------------------------ messages

  /** A publish of {@code data} (JSON-safe as it is) to the subscribed topic. */
  private static String json(String data) {
    return "{\"type\":\"publish\",\"topic\":\"" + TOPIC + "\",\"data\":\"" + data + "\"}";
  }

  private static byte[] publish(String data) {
    return utf8(json(data));
  }

  /** A publish of exactly {@code bytes} bytes of UTF-8. */
  private static String jsonOfSize(int bytes, char fill) {
    String m = json(filler(bytes, fill));
    assertEquals(bytes, utf8(m).length);
    return m;
  }

  private static String filler(int bytes, char fill) {
    return String.valueOf(fill).repeat(bytes - json("").length());
  }

  private static int indexOf(byte[] haystack, int from, byte[] needle) {
    for (int i = from; i <= haystack.length - needle.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  // ------------------------------------------------------------------------------ hub and sockets

  /** A hub with a subscriber to {@link #TOPIC} and a peer that publishes the markers. */
  private static final class Hub {
    final HubServer server;
    final TestPeer subscriber;
    final TestPeer marker;
    final AtomicInteger markers = new AtomicInteger();

    Hub(HubServer server) {
      this.server = server;
      subscriber = TestPeer.connect(server.uri());
      subscriber.send(Json.obj("type", "subscribe", "id", "s", "topic", TOPIC));
      subscriber.expect("ack");
      marker = TestPeer.connect(server.uri());
      marker.send(Json.obj("type", "subscribe", "id", "m", "topic", "markers")); // engaged: never closed as idle
      marker.expect("ack");
    }

    Sender connect() throws IOException {
      RawWebSocket ws = RawWebSocket.connect(server.uri(), PeerIds.random());
      ws.read(); // connected
      return new Sender(ws, server);
    }

    /** The data of every message the subscriber got before a marker published now. */
    List<String> deliveredUntilMarker() {
      String mark = "marker-" + markers.incrementAndGet();
      marker.send(Json.obj("type", "publish", "topic", TOPIC, "data", mark));
      List<String> delivered = new ArrayList<>();
      while (true) {
        JsonObject f = subscriber.next();
        if (f.get("type").getAsString().equals("message")) {
          String data = f.get("data").getAsString();
          if (data.equals(mark)) {
            return delivered;
          }
          delivered.add(data);
        }
      }
    }

    void close() {
      subscriber.abort();
      marker.abort();
      server.close();
    }
  }

  /** One case's connection. */
  static final class Sender implements AutoCloseable {
    private final RawWebSocket ws;
    private final HubServer hub;

    Sender(RawWebSocket ws, HubServer hub) {
      this.ws = ws;
      this.hub = hub;
    }

    void write(byte[]... frames) throws IOException {
      ws.sendBytes(concat(frames));
    }

    /** Each byte in a write of its own (no Nagle: one segment each). */
    void writeBytewise(byte[] bytes) throws IOException {
      ws.socket().setTcpNoDelay(true);
      for (byte b : bytes) {
        ws.sendBytes(new byte[] {b});
      }
    }

    /** Waits until no connection's partial frame or unfinished message is charged to the budget. */
    void awaitNothingHeld() {
      await().atMost(Duration.ofSeconds(5)).until(() -> inboundHeld() == 0);
    }

    /**
     * Writes {@code bytes} and waits until the hub holds more inbound bytes than before: it has
     * read them, so what is written next arrives in another read.
     */
    void writeAndAwaitHeld(byte[] bytes) throws IOException {
      long before = inboundHeld();
      ws.sendBytes(bytes);
      await().atMost(Duration.ofSeconds(5)).until(() -> inboundHeld() > before);
    }

    private long inboundHeld() {
      return hub.stats().get(Stat.BUDGET_CHARGED_BY_KIND, "inbound");
    }

    void expectPong(String payload) throws IOException {
      String pong = readUntil("the pong " + payload, f -> f.opcode() == RawWebSocket.PONG ? f.text() : null);
      assertEquals(payload, pong, "the pong carries the ping's payload");
    }

    void expectError(String code) throws IOException {
      JsonObject error = readUntil("the error " + code, f -> {
        JsonObject frame = f.opcode() == RawWebSocket.TEXT ? JsonParser.parseString(f.text()).getAsJsonObject() : null;
        return frame != null && frame.get("type").getAsString().equals("error") ? frame : null;
      });
      assertEquals(code, error.get("code").getAsString(), error::toString);
    }

    /** Reads the hub's frames until {@code match} gives something; a close frame first fails. */
    private <T> T readUntil(String what, Function<RawWebSocket.Frame, T> match) throws IOException {
      while (true) {
        RawWebSocket.Frame f = ws.read();
        if (f.opcode() == RawWebSocket.CLOSE) {
          fail("closed " + f.closeCode() + " while waiting for " + what);
        }
        T found = match.apply(f);
        if (found != null) {
          return found;
        }
      }
    }

    /**
     * The hub's close code, or 0 when it answers a probe ping instead (still open), or -1 when the
     * socket ends without a close frame. The hub keeps the socket open after its close frame
     * until the peer answers, so the probe never meets a reset.
     */
    int closeCodeOrOpen() {
      try {
        write(frame(FIN | PING, utf8("probe")));
      } catch (IOException gone) {
        // read what arrived before
      }
      try {
        while (true) {
          RawWebSocket.Frame f = ws.read();
          if (f.opcode() == RawWebSocket.CLOSE) {
            return f.closeCode();
          }
          if (f.opcode() == RawWebSocket.PONG && f.text().equals("probe")) {
            return 0;
          }
        }
      } catch (IOException e) {
        return -1;
      }
    }

    @Override
    public void close() {
      ws.close();
    }
  }
}
