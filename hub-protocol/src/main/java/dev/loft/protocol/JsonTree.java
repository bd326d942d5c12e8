package dev.loft.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.ToNumberPolicy;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;

/**
 * A Gson tree of JSON text that {@link FrameCodec}'s parser has already checked: what a peer's
 * codec gives its users as {@code data}. Gson, because hub-client's API speaks {@link JsonElement};
 * strict and depth-bounded all the same, so it can never accept what the parser refused.
 */
final class JsonTree {
  private JsonTree() {}

  static JsonElement of(String json) throws IOException, ProtocolException {
    JsonReader reader = new JsonReader(new TextBuffers.StringSource(json));
    reader.setStrictness(Strictness.STRICT);
    reader.setNestingLimit(ProtocolLimits.MAX_DEPTH);
    return readElement(reader, 2);
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
        throw new ProtocolException(ErrorCode.BAD_JSON, "unexpected " + token);
    }
  }

  private static void checkDepth(int depth) throws ProtocolException {
    if (depth > ProtocolLimits.MAX_DEPTH) {
      throw new ProtocolException(
          ErrorCode.TOO_DEEP, "JSON nests deeper than " + ProtocolLimits.MAX_DEPTH + " levels");
    }
  }
}
