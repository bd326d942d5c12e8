package dev.loft.client;

import com.google.gson.JsonElement;

/** A publication on a subscribed topic; {@code fromPeerId} is stamped by the hub. */
public record TopicMessage(String topic, String fromPeerId, JsonElement data, long timestamp) {}
