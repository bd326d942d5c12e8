package dev.loft.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.util.Objects;

/**
 * A JSON value kept as the text it arrived as: what a relay does with a payload it only forwards.
 * The hub's codec ({@link FrameCodec#relaying}) puts one in every frame's {@code data}: no tree is
 * built, so what a peer sends costs the hub its size in characters, not ten to forty times that in
 * tree nodes, and forwarding copies text instead of re-serialising a tree.
 *
 * <p>The text was checked by a strict reader (syntax, nesting), so it is one complete JSON value
 * and may be written verbatim into another frame ({@link FrameWriter}). It is not a tree: {@code
 * isJsonObject()} and friends are false and Gson cannot serialise it; {@link #parse} builds one.
 */
public final class RawJson extends JsonElement {
  private final String text;

  @SuppressWarnings("deprecation") // JsonElement's constructor: Gson discourages subclasses it must serialise; it never does
  public RawJson(String text) {
    this.text = Objects.requireNonNull(text, "text");
  }

  /** The JSON text, exactly as received (insignificant whitespace included). */
  public String text() {
    return text;
  }

  /** True when the value is a JSON object. */
  public boolean isObject() {
    return !text.isEmpty() && text.charAt(0) == '{';
  }

  /** True when the value is JSON null. */
  public boolean isNull() {
    return text.equals("null");
  }

  /** Builds the tree (for the rare caller that must look inside). */
  public JsonElement parse() {
    return JsonParser.parseString(text);
  }

  @Override
  public JsonElement deepCopy() {
    return this; // immutable
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawJson r && r.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
