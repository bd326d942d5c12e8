package dev.loft.client;

import com.google.gson.JsonObject;

/** A peer joined (or was already in) this client's network; {@code data} is its announce data. */
public record PeerDiscovered(String peerId, String networkName, JsonObject data) {}
