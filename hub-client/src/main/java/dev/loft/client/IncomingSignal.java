package dev.loft.client;

import com.google.gson.JsonElement;
import dev.loft.protocol.SignalKind;

/** A WebRTC signal (offer, answer or ICE candidate) relayed to this peer by the hub. */
public record IncomingSignal(
    SignalKind kind, String fromPeerId, String networkName, JsonElement data, long timestamp) {}
