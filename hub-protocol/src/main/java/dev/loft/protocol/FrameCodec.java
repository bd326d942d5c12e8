package dev.loft.protocol;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.Writer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;

/**
 * The one codec for every frame, both directions. Thread-safe and stateless apart from its limits.
 *
 * <p>{@link #decode} throws only {@link ProtocolException}, whatever the text: it reads with a
 * strict streaming parser that bounds nesting, keeps {@code data} as the exact text it checked
 * (or, for peers, a tree of it, see {@link JsonTree}), and maps every parse or number-format
 * failure to a code. {@link #encode} writes fields in a fixed order.
 */
public final class FrameCodec {
  public static final FrameCodec DEFAULT = new FrameCodec(ProtocolLimits.DEFAULTS);

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

  /**
   * Jackson's streaming parser, strict as it comes (no comments, single quotes, trailing commas,
   * leading zeros, NaN or raw control characters), reads every frame: it matches names without
   * allocating and borrows recycled buffers, about twice as fast as Gson's reader here (issue 11).
   * Only nesting is limited by it; the frame's length bounds everything else, so its other limits
   * are lifted rather than left to refuse a long number or string the frame limit admits.
   */
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(ProtocolLimits.MAX_DEPTH)
          .maxNumberLength(Integer.MAX_VALUE)
          .maxStringLength(Integer.MAX_VALUE)
          .maxNameLength(Integer.MAX_VALUE)
          .build())
      .build();

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
    try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), text)) {
      readEnvelope(parser, text, raw);
    } catch (ProtocolException e) {
      throw e.withRequestId(validIdOrNull(raw.id));
    } catch (StreamConstraintsException e) {
      if (String.valueOf(e.getMessage()).contains("nesting depth")) {
        throw new ProtocolException(ErrorCode.TOO_DEEP,
            "JSON nests deeper than " + ProtocolLimits.MAX_DEPTH + " levels", validIdOrNull(raw.id));
      }
      throw new ProtocolException(
          ErrorCode.BAD_JSON, "not valid JSON: " + firstLine(e.getOriginalMessage()), validIdOrNull(raw.id));
    } catch (JacksonException e) {
      throw new ProtocolException(
          ErrorCode.BAD_JSON, "not valid JSON: " + firstLine(e.getOriginalMessage()), validIdOrNull(raw.id));
    } catch (IOException | RuntimeException e) {
      // A tree built from text the parser has already checked (the peers' codec): not expected.
      throw new ProtocolException(
          ErrorCode.BAD_JSON, "not valid JSON: " + firstLine(e.getMessage()), validIdOrNull(raw.id));
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

  private void readEnvelope(JsonParser parser, String text, RawFrame raw) throws IOException, ProtocolException {
    JsonToken first = parser.nextToken();
    if (first != JsonToken.START_OBJECT) {
      if (first == null) {
        throw new ProtocolException(ErrorCode.BAD_JSON, "not valid JSON: the frame is blank");
      }
      throw new ProtocolException(
          ErrorCode.BAD_FRAME, "frame must be a JSON object, got " + describe(first));
    }
    String name;
    while ((name = parser.nextName()) != null) {
      JsonToken token = parser.nextToken();
      switch (name) {
        case FieldNames.TYPE:
          raw.type = readString(parser, token, name);
          break;
        case FieldNames.ID:
          raw.id = readString(parser, token, name, ErrorCode.BAD_ID);
          break;
        case FieldNames.TOPIC:
          raw.topic = readString(parser, token, name);
          break;
        case FieldNames.CODE:
          raw.code = readString(parser, token, name);
          break;
        case FieldNames.ERROR:
          raw.error = readString(parser, token, name);
          break;
        case FieldNames.NETWORK_NAME:
          raw.networkName = readString(parser, token, name);
          break;
        case FieldNames.FROM_PEER_ID:
          raw.fromPeerId = readString(parser, token, name);
          break;
        case FieldNames.TARGET_PEER_ID:
          raw.targetPeerId = readString(parser, token, name);
          break;
        case FieldNames.TIMESTAMP:
          raw.timestamp = readTimestamp(parser, token);
          break;
        case FieldNames.DATA: {
          String value = rawText(parser, text);
          raw.data = rawData ? new RawJson(value) : JsonTree.of(value);
          break;
        }
        default:
          // Unknown fields (PeerPigeon's maxPeers, future additions) are ignored, but still checked
          // (syntax, nesting) as the parser skips them.
          parser.skipChildren();
      }
    }
    if (parser.nextToken() != null) {
      throw new ProtocolException(ErrorCode.BAD_JSON, "trailing data after the frame object");
    }
  }

  private static String readString(JsonParser parser, JsonToken token, String field)
      throws ProtocolException {
    return readString(parser, token, field, ErrorCode.BAD_FRAME);
  }

  private static String readString(JsonParser parser, JsonToken token, String field, ErrorCode wrongTypeCode)
      throws ProtocolException {
    if (token == JsonToken.VALUE_STRING) {
      return parser.getString();
    }
    if (token == JsonToken.VALUE_NULL) {
      return null;
    }
    throw new ProtocolException(wrongTypeCode, field + " must be a string, got " + describe(token));
  }

  private static long readTimestamp(JsonParser parser, JsonToken token) throws ProtocolException {
    if (token == JsonToken.VALUE_NULL) {
      return 0;
    }
    if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new ProtocolException(
          ErrorCode.BAD_FRAME, "timestamp must be a number, got " + describe(token));
    }
    String digits = parser.getString();
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
   * The current value's exact text, checked by the parser as it passes over it: from the value's
   * first character to just past its last. A scalar's token is finished first, since the parser
   * reads a string's contents lazily.
   */
  private static String rawText(JsonParser parser, String text) {
    int start = (int) parser.currentTokenLocation().getCharOffset();
    if (parser.currentToken().isStructStart()) {
      parser.skipChildren();
    } else {
      parser.finishToken();
    }
    int end = (int) parser.currentLocation().getCharOffset();
    return text.substring(start, end);
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    switch (token) {
      case START_ARRAY:
        return "an array";
      case START_OBJECT:
        return "an object";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return token.name();
    }
  }

  private static String firstLine(String text) {
    String message = String.valueOf(text);
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
