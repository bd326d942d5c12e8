package dev.loft.client;

/** A peer left this client's network (goodbye or disconnect). */
public record PeerLeft(String peerId, String networkName) {}
