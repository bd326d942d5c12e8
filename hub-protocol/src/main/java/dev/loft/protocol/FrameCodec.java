package dev.loft.protocol;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.Strictness;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.ToNumberPolicy;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * The one codec for every frame, both directions. Thread-safe and stateless apart from its limits.
 *
 * <p>{@link #decode} throws only {@link ProtocolException}, whatever the text: it reads with a
 * strict streaming reader, bounds nesting while it builds {@code data}, and maps every Gson or
 * number-format failure to a code. {@link #encode} writes fields in a fixed order.
 */
public final class FrameCodec {
  public static final FrameCodec DEFAULT = new FrameCodec(ProtocolLimits.DEFAULTS);

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

  private final ProtocolLimits limits;
  /** Keep {@code data} as {@link RawJson} text instead of building a tree (the hub's mode). */
  private final boolean rawData;

  /** A codec that builds {@code data} trees: for peers, which look inside what they receive. */
  public FrameCodec(ProtocolLimits limits) {
    this(limits, false);
  }

  private FrameCodec(ProtocolLimits limits, boolean rawData) {
    this.limits = limits;
    this.rawData = rawData;
  }

  /**
   * A codec for a relay: every frame's {@code data}, and every unknown field, is checked by the
   * strict reader (syntax, nesting) but kept as {@link RawJson} text, never as a tree.
   */
  public static FrameCodec relaying(ProtocolLimits limits) {
    return new FrameCodec(limits, true);
  }

  public ProtocolLimits limits() {
    return limits;
  }

  // ------------------------------------------------------------------------------------ decode

  /** Parses and validates one frame. */
  public Frame decode(String text) throws ProtocolException {
    if (text == null) {
      throw new ProtocolException(ErrorCode.BAD_JSON, "frame is empty");
    }
    if (text.length() > limits.maxFrameChars()) {
      throw new ProtocolException(
          ErrorCode.FRAME_TOO_LARGE,
          "frame of " + text.length() + " characters exceeds " + limits.maxFrameChars());
    }
    RawFrame raw = new RawFrame();
    try {
      readEnvelope(text, raw);
    } catch (ProtocolException e) {
      throw e.withRequestId(validIdOrNull(raw.id));
    } catch (IOException | RuntimeException e) {
      if (String.valueOf(e.getMessage()).startsWith("Nesting limit")) {
        throw new ProtocolException(ErrorCode.TOO_DEEP,
            "JSON nests deeper than " + ProtocolLimits.MAX_DEPTH + " levels", validIdOrNull(raw.id));
      }
      // MalformedJsonException, IllegalStateException, NumberFormatException, EOFException...
      throw new ProtocolException(
          ErrorCode.BAD_JSON, "not valid JSON: " + firstLine(e), validIdOrNull(raw.id));
    }
    try {
      return FrameFactory.build(raw);
    } catch (ProtocolException e) {
      throw e.withRequestId(validIdOrNull(raw.id));
    }
  }

  /** The id an error may echo: only a valid one, so that the error frame itself decodes. */
  private static String validIdOrNull(String id) {
    if (id == null) {
      return null;
    }
    try {
      return Validation.requestId(id);
    } catch (ProtocolException e) {
      return null;
    }
  }

  private void readEnvelope(String text, RawFrame raw) throws IOException, ProtocolException {
    JsonReader reader = new JsonReader(new TextBuffers.StringSource(text));
    reader.setStrictness(Strictness.STRICT);
    reader.setNestingLimit(ProtocolLimits.MAX_DEPTH); // skipValue (raw data) is bounded too
    JsonToken first = reader.peek();
    if (first != JsonToken.BEGIN_OBJECT) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME, "frame must be a JSON object, got " + describe(first));
    }
    reader.beginObject();
    while (reader.hasNext()) {
      String name = reader.nextName();
      switch (name) {
        case FieldNames.TYPE:
          raw.type = readString(reader, name);
          break;
        case FieldNames.ID:
          raw.id = readString(reader, name, ErrorCode.BAD_ID);
          break;
        case FieldNames.TOPIC:
          raw.topic = readString(reader, name);
          break;
        case FieldNames.CODE:
          raw.code = readString(reader, name);
          break;
        case FieldNames.ERROR:
          raw.error = readString(reader, name);
          break;
        case FieldNames.NETWORK_NAME:
          raw.networkName = readString(reader, name);
          break;
        case FieldNames.FROM_PEER_ID:
          raw.fromPeerId = readString(reader, name);
          break;
        case FieldNames.TARGET_PEER_ID:
          raw.targetPeerId = readString(reader, name);
          break;
        case FieldNames.TIMESTAMP:
          raw.timestamp = readTimestamp(reader);
          break;
        case FieldNames.DATA:
          raw.data = rawData ? readRaw(reader, text) : readElement(reader, 2);
          break;
        default:
          // Unknown fields (PeerPigeon's maxPeers, future additions) are ignored, but still bounded.
          if (rawData) {
            reader.skipValue();
          } else {
            readElement(reader, 2);
          }
      }
    }
    reader.endObject();
    if (reader.peek() != JsonToken.END_DOCUMENT) {
      throw new ProtocolException(ErrorCode.BAD_JSON, "trailing data after the frame object");
    }
  }

  private static String readString(JsonReader reader, String field) throws IOException, ProtocolException {
    return readString(reader, field, ErrorCode.BAD_FRAME);
  }

  private static String readString(JsonReader reader, String field, ErrorCode wrongTypeCode)
      throws IOException, ProtocolException {
    JsonToken token = reader.peek();
    if (token == JsonToken.STRING) {
      return reader.nextString();
    }
    if (token == JsonToken.NULL) {
      reader.nextNull();
      return null;
    }
    throw new ProtocolException(wrongTypeCode, field + " must be a string, got " + describe(token));
  }

  private static long readTimestamp(JsonReader reader) throws IOException, ProtocolException {
    JsonToken token = reader.peek();
    if (token == JsonToken.NULL) {
      reader.nextNull();
      return 0;
    }
    if (token != JsonToken.NUMBER) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME, "timestamp must be a number, got " + describe(token));
    }
    String digits = reader.nextString();
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      try {
        // Browsers may send fractional milliseconds (performance.now()-style); keep the integer part.
        double d = Double.parseDouble(digits);
        if (Double.isFinite(d) && Math.abs(d) < 9.0e15) {
          return (long) d;
        }
      } catch (NumberFormatException ignored) {
        // fall through
      }
      throw new ProtocolException(ErrorCode.BAD_FRAME, "timestamp is out of range");
    }
  }

  /**
   * The next value's text, checked by the strict reader as it skips it. The reader's offset after
   * a name is just past the name's closing quote; after the value, just past the value's last
   * character: the value is what lies between, less the colon and JSON whitespace.
   */
  private static RawJson readRaw(JsonReader reader, String text) throws IOException {
    int start = (int) reader.getCharacterOffset();
    reader.skipValue();
    int end = (int) reader.getCharacterOffset();
    while (start < end) {
      char c = text.charAt(start);
      if (c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        start++;
      } else {
        break;
      }
    }
    return new RawJson(text.substring(start, end));
  }

  /** Reads any JSON value into a tree, refusing to nest deeper than {@link ProtocolLimits#MAX_DEPTH}. */
  private static JsonElement readElement(JsonReader reader, int depth) throws IOException, ProtocolException {
    JsonToken token = reader.peek();
    switch (token) {
      case BEGIN_OBJECT: {
        checkDepth(depth);
        JsonObject object = new JsonObject();
        reader.beginObject();
        while (reader.hasNext()) {
          String name = reader.nextName();
          object.add(name, readElement(reader, depth + 1));
        }
        reader.endObject();
        return object;
      }
      case BEGIN_ARRAY: {
        checkDepth(depth);
        JsonArray array = new JsonArray();
        reader.beginArray();
        while (reader.hasNext()) {
          array.add(readElement(reader, depth + 1));
        }
        reader.endArray();
        return array;
      }
      case STRING:
        return new JsonPrimitive(reader.nextString());
      case NUMBER:
        return new JsonPrimitive(ToNumberPolicy.LAZILY_PARSED_NUMBER.readNumber(reader)); // exact text, parsed lazily; Gson's public API
      case BOOLEAN:
        return new JsonPrimitive(reader.nextBoolean());
      case NULL:
        reader.nextNull();
        return JsonNull.INSTANCE;
      default:
        throw new ProtocolException(ErrorCode.BAD_JSON, "unexpected " + describe(token));
    }
  }

  private static void checkDepth(int depth) throws ProtocolException {
    if (depth > ProtocolLimits.MAX_DEPTH) {
      throw new ProtocolException(
          ErrorCode.TOO_DEEP, "JSON nests deeper than " + ProtocolLimits.MAX_DEPTH + " levels");
    }
  }

  private static String describe(JsonToken token) {
    switch (token) {
      case BEGIN_ARRAY:
        return "an array";
      case BEGIN_OBJECT:
        return "an object";
      case STRING:
        return "a string";
      case NUMBER:
        return "a number";
      case BOOLEAN:
        return "a boolean";
      case NULL:
        return "null";
      case END_DOCUMENT:
        return "nothing";
      default:
        return token.name();
    }
  }

  private static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int cut = message.indexOf('\n');
    message = cut < 0 ? message : message.substring(0, cut);
    return message.length() > 200 ? message.substring(0, 200) : message;
  }

  // ------------------------------------------------------------------------------------ encode

  /** Writes one frame as JSON text. Never fails for a frame built through the records. */
  public String encode(Frame frame) {
    TextBuffers.StringSink out = TextBuffers.StringSink.reused();
    encode(frame, out);
    return out.toString();
  }

  /**
   * Writes one frame's JSON text to {@code out}, which must not fail (an in-memory writer: a
   * relay encodes straight into the bytes it sends). Never fails for a frame built through the
   * records.
   */
  public void encode(Frame frame, Writer out) {
    try (JsonWriter writer = new JsonWriter(out)) {
      writer.setHtmlSafe(false);
      writer.setSerializeNulls(false);
      writer.beginObject();
      FrameWriter.writeFields(frame, writer, GSON);
      writer.endObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
  }
}
