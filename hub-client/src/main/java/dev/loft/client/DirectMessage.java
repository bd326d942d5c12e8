package dev.loft.client;

import com.google.gson.JsonElement;

/** A message sent to this peer alone; {@code fromPeerId} is stamped by the hub. */
public record DirectMessage(String fromPeerId, JsonElement data, long timestamp) {}
