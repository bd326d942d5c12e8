package dev.loft.protocol;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;

/** Writes the fields of each frame type in the order PeerPigeon's hub uses where it has one. */
final class FrameWriter {
  private FrameWriter() {}

  static void writeFields(Frame frame, JsonWriter w, Gson gson) throws IOException {
    w.name(FieldNames.TYPE).value(frame.type());
    if (frame instanceof Frame.Announce f) {
      id(w, f.id());
      data(w, gson, f.data());
      w.name(FieldNames.NETWORK_NAME).value(f.networkName());
    } else if (frame instanceof Frame.Signal f) {
      id(w, f.id());
      data(w, gson, f.data());
      string(w, FieldNames.NETWORK_NAME, f.networkName());
      string(w, FieldNames.FROM_PEER_ID, f.fromPeerId());
      w.name(FieldNames.TARGET_PEER_ID).value(f.targetPeerId());
      timestamp(w, f.timestamp());
    } else if (frame instanceof Frame.Goodbye f) {
      id(w, f.id());
      data(w, gson, f.data());
      string(w, FieldNames.FROM_PEER_ID, f.fromPeerId());
      string(w, FieldNames.NETWORK_NAME, f.networkName());
      timestamp(w, f.timestamp());
    } else if (frame instanceof Frame.Ping f) {
      data(w, gson, f.data());
    } else if (frame instanceof Frame.Cleanup f) {
      data(w, gson, f.data());
    } else if (frame instanceof Frame.Connected f) {
      JsonObject data = new JsonObject();
      data.addProperty(FieldNames.PEER_ID, f.peerId());
      data(w, gson, data);
      system(w);
      timestamp(w, f.timestamp());
    } else if (frame instanceof Frame.PeerDiscovered f) {
      data(w, gson, f.data());
      w.name(FieldNames.NETWORK_NAME).value(f.networkName());
      system(w);
      string(w, FieldNames.TARGET_PEER_ID, f.targetPeerId());
      timestamp(w, f.timestamp());
    } else if (frame instanceof Frame.PeerDisconnected f) {
      w.name(FieldNames.DATA).beginObject();
      w.name(FieldNames.PEER_ID).value(f.peerId());
      w.name(FieldNames.IS_HUB).value(false);
      w.endObject();
      w.name(FieldNames.NETWORK_NAME).value(f.networkName());
      system(w);
      timestamp(w, f.timestamp());
    } else if (frame instanceof Frame.Pong f) {
      w.name(FieldNames.DATA).beginObject();
      w.name(FieldNames.TIMESTAMP).value(f.timestamp());
      w.endObject();
      system(w);
      string(w, FieldNames.TARGET_PEER_ID, f.targetPeerId());
      timestamp(w, f.timestamp());
    } else if (frame instanceof Frame.ErrorFrame f) {
      id(w, f.id());
      w.name(FieldNames.CODE).value(f.code());
      w.name(FieldNames.ERROR).value(f.message());
      timestamp(w, f.timestamp());
    } else if (frame instanceof Frame.Subscribe f) {
      id(w, f.id());
      w.name(FieldNames.TOPIC).value(f.topic());
    } else if (frame instanceof Frame.Unsubscribe f) {
      id(w, f.id());
      w.name(FieldNames.TOPIC).value(f.topic());
    } else if (frame instanceof Frame.Publish f) {
      id(w, f.id());
      w.name(FieldNames.TOPIC).value(f.topic());
      data(w, gson, f.data());
    } else if (frame instanceof Frame.TopicMessage f) {
      w.name(FieldNames.TOPIC).value(f.topic());
      data(w, gson, f.data());
      string(w, FieldNames.FROM_PEER_ID, f.fromPeerId());
      timestamp(w, f.timestamp());
    } else if (frame instanceof Frame.Direct f) {
      id(w, f.id());
      data(w, gson, f.data());
      string(w, FieldNames.FROM_PEER_ID, f.fromPeerId());
      w.name(FieldNames.TARGET_PEER_ID).value(f.targetPeerId());
      timestamp(w, f.timestamp());
    } else if (frame instanceof Frame.Presence f) {
      id(w, f.id());
      string(w, FieldNames.NETWORK_NAME, f.networkName());
      string(w, FieldNames.TOPIC, f.topic());
    } else if (frame instanceof Frame.Ack f) {
      id(w, f.id());
      data(w, gson, f.data());
      timestamp(w, f.timestamp());
    } else {
      throw new IllegalArgumentException("no writer for " + frame.getClass());
    }
  }

  private static void id(JsonWriter w, String id) throws IOException {
    string(w, FieldNames.ID, id);
  }

  private static void string(JsonWriter w, String name, String value) throws IOException {
    if (value != null) {
      w.name(name).value(value);
    }
  }

  private static void system(JsonWriter w) throws IOException {
    w.name(FieldNames.FROM_PEER_ID).value(FrameTypes.SYSTEM_SENDER);
  }

  private static void timestamp(JsonWriter w, long timestamp) throws IOException {
    if (timestamp != 0) {
      w.name(FieldNames.TIMESTAMP).value(timestamp);
    }
  }

  private static void data(JsonWriter w, Gson gson, JsonElement data) throws IOException {
    if (data instanceof RawJson raw) {
      if (!raw.isNull()) {
        w.name(FieldNames.DATA).jsonValue(raw.text()); // checked by a strict reader when it arrived
      }
    } else if (data != null && !data.isJsonNull()) {
      w.name(FieldNames.DATA);
      gson.toJson(data, w);
    }
  }
}
