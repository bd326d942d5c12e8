package dev.loft.protocol;

import com.google.gson.JsonElement;

/** The envelope fields as read from the wire, before the type decides which of them matter. */
final class RawFrame {
  String type;
  String id;
  String topic;
  String code;
  String error;
  String networkName;
  String fromPeerId;
  String targetPeerId;
  long timestamp;
  JsonElement data;
}
