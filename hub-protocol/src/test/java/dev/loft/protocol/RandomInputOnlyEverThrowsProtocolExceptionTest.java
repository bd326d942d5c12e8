package dev.loft.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guards against any input making {@link FrameCodec#decode} fail with something other than a
 * {@link ProtocolException} (a RuntimeException, a StackOverflowError...), which would take the
 * hub's connection handler down instead of producing an {@code error} frame.
 *
 * <p>Deterministic: the seed is fixed (override with {@code -Dloft.fuzz.seed=N}) and printed in
 * every failure, together with the iteration and the input.
 */
class RandomInputOnlyEverThrowsProtocolExceptionTest {
  private static final long SEED = Long.getLong("loft.fuzz.seed", 0x10F7_F022L);
  private static final int ITERATIONS = Integer.getInteger("loft.fuzz.iterations", 20_000);
  private static final FrameCodec CODEC = FrameCodec.DEFAULT;
  private FrameCodec codec = CODEC;

  private static final String[] TYPES = {
    "announce", "offer", "answer", "ice-candidate", "goodbye", "ping", "cleanup", "connected",
    "peer-discovered", "peer-disconnected", "pong", "error", "subscribe", "unsubscribe", "publish",
    "message", "direct", "presence", "ack", "bogus", "", "OFFER"
  };
  private static final String[] FIELDS = {
    "type", "id", "topic", "code", "error", "data", "networkName", "fromPeerId", "targetPeerId",
    "timestamp", "peerId", "isHub", "maxPeers", "x"
  };
  private static final String[] TOKENS = {
    "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\uD800", "\\u00", "null", "true", "false",
    "-", "0", "-0", "1e999999", "1E+", "1.", ".5", "9223372036854775808", "-9223372036854775809",
    "NaN", "Infinity", "//", "/*", "'", "\u0000", "\uFEFF", "\uD800", "\uDC00", "\uFFFF", "\u2028",
    "{\"type\":", "\"data\":", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "}}}}}}}}", " ", "\n"
  };

  /** Both codecs: the peers' (trees) and the hub's (raw data text, see FrameCodec#relaying). */
  @ParameterizedTest(name = "relaying={0}")
  @ValueSource(booleans = {false, true})
  void decodeOnlyEverThrowsProtocolException(boolean relaying) {
    codec = relaying ? FrameCodec.relaying(ProtocolLimits.DEFAULTS) : FrameCodec.DEFAULT;
    Random rnd = new Random(SEED);
    List<String> corpus = corpus();
    Map<ErrorCode, Integer> refusals = new EnumMap<>(ErrorCode.class);
    int accepted = 0;
    long started = System.nanoTime();
    for (int i = 0; i < ITERATIONS; i++) {
      final int iteration = i;
      final String input = generate(rnd, corpus);
      Frame frame;
      try {
        frame = codec.decode(input);
      } catch (ProtocolException e) {
        assertNotNull(e.code(), () -> context(iteration, input));
        refusals.merge(e.code(), 1, Integer::sum);
        continue;
      } catch (Throwable t) {
        fail("decode threw " + t + " (expected only ProtocolException); " + context(iteration, input), t);
        return;
      }
      accepted++;
      assertReEncodable(frame, iteration, input);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    String summary =
        "seed=" + SEED + " accepted=" + accepted + " refused=" + refusals + " in " + millis + " ms";
    // The generator must exercise both sides and many codes, or this test proves little.
    assertTrue(accepted >= ITERATIONS / 50, "too few inputs accepted: " + summary);
    assertTrue(refusals.size() >= 8, "too few distinct error codes: " + summary);
    System.out.println("[fuzz] " + summary);
  }

  /** Whatever the codec accepts it can write, and what it writes it accepts again unchanged. */
  private void assertReEncodable(Frame frame, int iteration, String input) {
    String wire;
    try {
      wire = codec.encode(frame);
    } catch (Throwable t) {
      fail("encode of an accepted frame threw " + t + "; " + context(iteration, input), t);
      return;
    }
    try {
      Frame again = codec.decode(wire);
      assertEquals(wire, codec.encode(again), () -> context(iteration, input));
    } catch (ProtocolException e) {
      fail("re-decoding the encoding of an accepted frame failed with " + e + "; encoded: "
          + Samples.clip(wire) + "; " + context(iteration, input));
    }
  }

  private static String context(int iteration, String input) {
    return "seed=" + SEED + " (-Dloft.fuzz.seed=" + SEED + ") iteration=" + iteration + " input=["
        + escape(input) + "]";
  }

  /** The whole input as a Java string literal body, so that it can be pasted into a test. */
  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    int limit = Math.min(s.length(), 4000);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7E) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return s.length() > limit ? b + "...(" + s.length() + " chars)" : b.toString();
  }

  // ------------------------------------------------------------------------------ generation

  private static List<String> corpus() {
    List<String> corpus = new ArrayList<>();
    for (Frame f : Samples.everyFrame()) {
      corpus.add(CODEC.encode(f));
    }
    String a = Samples.A;
    corpus.add("{\"type\":\"announce\",\"data\":{\"peerId\":\"" + a + "\"},\"maxPeers\":3,\"networkName\":\"global\"}");
    corpus.add("{\"type\":\"offer\",\"data\":{\"type\":\"offer\",\"sdp\":\"v=0\"},\"maxPeers\":3,\"networkName\":\"global\",\"targetPeerId\":\"" + a + "\"}");
    corpus.add("{\"type\":\"presence\",\"id\":\"q\",\"networkName\":\"global\"}");
    return corpus;
  }

  private static String generate(Random rnd, List<String> corpus) {
    int kind = rnd.nextInt(11);
    if (kind == 0) {
      return randomJson(rnd, 0).toString();
    }
    if (kind == 10) {
      return deepFrame(rnd).toString();
    }
    if (kind == 1) {
      return randomFrameObject(rnd).toString();
    }
    if (kind == 2) {
      return randomText(rnd, rnd.nextInt(64));
    }
    String s;
    if (kind == 3) {
      s = mutateFields(rnd, corpus.get(rnd.nextInt(corpus.size())));
    } else {
      s = corpus.get(rnd.nextInt(corpus.size()));
    }
    int mutations = 1 + rnd.nextInt(kind == 3 ? 2 : 4);
    for (int m = 0; m < mutations; m++) {
      s = mutate(rnd, s);
    }
    return s;
  }

  private static String mutate(Random rnd, String s) {
    int len = s.length();
    int at = len == 0 ? 0 : rnd.nextInt(len + 1);
    switch (rnd.nextInt(9)) {
      case 0: { // flip one character
        if (len == 0) {
          return s;
        }
        int p = rnd.nextInt(len);
        return s.substring(0, p) + randomChar(rnd) + s.substring(p + 1);
      }
      case 1: // truncate
        return s.substring(0, at);
      case 2: // insert structural characters or tokens
        return s.substring(0, at) + TOKENS[rnd.nextInt(TOKENS.length)] + s.substring(at);
      case 3: { // duplicate a slice
        int from = len == 0 ? 0 : rnd.nextInt(len);
        int to = Math.min(len, from + 1 + rnd.nextInt(32));
        return s.substring(0, at) + s.substring(from, to) + s.substring(at);
      }
      case 4: // random unicode
        return s.substring(0, at) + randomText(rnd, 1 + rnd.nextInt(4)) + s.substring(at);
      case 5: { // delete a slice
        int to = Math.min(len, at + 1 + rnd.nextInt(8));
        return s.substring(0, at) + s.substring(to);
      }
      case 6: // the whole frame twice, or with garbage after it
        return rnd.nextBoolean() ? s + s : s + TOKENS[rnd.nextInt(TOKENS.length)];
      case 7: // a random JSON value spliced in
        return s.substring(0, at) + randomJson(rnd, 0) + s.substring(at);
      default: { // flip a raw bit
        if (len == 0) {
          return s;
        }
        int p = rnd.nextInt(len);
        char flipped = (char) (s.charAt(p) ^ (1 << rnd.nextInt(16)));
        return s.substring(0, p) + flipped + s.substring(p + 1);
      }
    }
  }

  /** Parses a valid frame and replaces, removes or adds one top-level field. */
  private static String mutateFields(Random rnd, String frame) {
    JsonObject o = JsonParser.parseString(frame).getAsJsonObject();
    String field = FIELDS[rnd.nextInt(FIELDS.length)];
    switch (rnd.nextInt(4)) {
      case 0:
        o.remove(field);
        break;
      case 1:
        o.add(field, JsonNull.INSTANCE);
        break;
      default:
        o.add(field, rnd.nextInt(3) == 0 ? new JsonPrimitive(TYPES[rnd.nextInt(TYPES.length)]) : randomJson(rnd, 0));
    }
    return o.toString();
  }

  private static JsonObject randomFrameObject(Random rnd) {
    JsonObject o = new JsonObject();
    o.addProperty("type", TYPES[rnd.nextInt(TYPES.length)]);
    int n = rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      String field = FIELDS[rnd.nextInt(FIELDS.length)];
      JsonElement value;
      switch (rnd.nextInt(5)) {
        case 0:
          value = new JsonPrimitive(rnd.nextBoolean() ? Samples.A : Samples.A.substring(rnd.nextInt(40)));
          break;
        case 1:
          value = new JsonPrimitive(randomText(rnd, rnd.nextInt(140)));
          break;
        case 2:
          value = new JsonPrimitive(rnd.nextLong());
          break;
        default:
          value = randomJson(rnd, 0);
      }
      o.add(field, value);
    }
    return o;
  }

  /** A frame whose data or unknown field nests around the depth limit. */
  private static JsonObject deepFrame(Random rnd) {
    JsonObject o = randomFrameObject(rnd);
    JsonElement e = randomJson(rnd, 99);
    int levels = ProtocolLimits.MAX_DEPTH - 4 + rnd.nextInt(8);
    for (int i = 0; i < levels; i++) {
      if (rnd.nextBoolean()) {
        JsonArray a = new JsonArray();
        a.add(e);
        e = a;
      } else {
        JsonObject wrapper = new JsonObject();
        wrapper.add(FIELDS[rnd.nextInt(FIELDS.length)], e);
        e = wrapper;
      }
    }
    o.add(rnd.nextBoolean() ? "data" : "x", e);
    return o;
  }

  private static JsonElement randomJson(Random rnd, int depth) {
    // Mostly shallow, sometimes deep enough to cross MAX_DEPTH.
    boolean mayNest = depth < 3 || (rnd.nextInt(8) == 0 && depth < 40) || rnd.nextInt(50) == 0 && depth < 60;
    int choice = rnd.nextInt(mayNest ? 8 : 6);
    switch (choice) {
      case 0:
        return JsonNull.INSTANCE;
      case 1:
        return new JsonPrimitive(rnd.nextBoolean());
      case 2:
        return new JsonPrimitive(rnd.nextInt(4) == 0 ? rnd.nextDouble() * Math.pow(10, rnd.nextInt(40) - 20) : rnd.nextLong());
      case 3:
      case 4:
        return new JsonPrimitive(randomText(rnd, rnd.nextInt(20)));
      case 5:
        return new JsonPrimitive(TYPES[rnd.nextInt(TYPES.length)]);
      case 6: {
        JsonArray a = new JsonArray();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
          a.add(randomJson(rnd, depth + 1));
        }
        if (n == 0 && rnd.nextBoolean()) {
          a.add(randomJson(rnd, depth + 1));
        }
        return a;
      }
      default: {
        JsonObject o = new JsonObject();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
          o.add(rnd.nextBoolean() ? FIELDS[rnd.nextInt(FIELDS.length)] : randomText(rnd, 3), randomJson(rnd, depth + 1));
        }
        return o;
      }
    }
  }

  private static String randomText(Random rnd, int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(randomChar(rnd));
    }
    return b.toString();
  }

  private static char randomChar(Random rnd) {
    switch (rnd.nextInt(6)) {
      case 0:
        return (char) rnd.nextInt(0x20); // control characters
      case 1:
        return "{}[]\":,\\ '/".charAt(rnd.nextInt(11));
      case 2:
        return (char) (0xD800 + rnd.nextInt(0x800)); // lone surrogates
      case 3:
        return (char) rnd.nextInt(0x10000); // anything in the BMP
      default:
        return (char) (0x20 + rnd.nextInt(0x5F)); // printable ASCII
    }
  }
}
