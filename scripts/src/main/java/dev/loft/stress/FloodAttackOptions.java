package dev.loft.stress;

import picocli.CommandLine.Option;

/** The options of the raw-socket floods (ping-flood, binary-flood, header-flood). */
final class FloodAttackOptions {
  @Option(names = "--ping-payload", defaultValue = "0", description = "ping-flood: payload bytes per ping, 0-125 (default: ${DEFAULT-VALUE}).")
  int pingPayload;

  @Option(names = "--binary-payload", defaultValue = "1", description = "binary-flood: payload bytes per frame, 0-125 (default: ${DEFAULT-VALUE}).")
  int binaryPayload;

  @Option(names = "--rcvbuf", defaultValue = "4096",
      description = "ping/binary-flood: SO_RCVBUF of the never-reading socket (default: ${DEFAULT-VALUE}).")
  int rcvbuf;

  @Option(names = "--header-sockets", defaultValue = "50", description = "header-flood: sockets (default: ${DEFAULT-VALUE}).")
  int headerSockets;

  @Option(names = "--reconnect",
      description = "ping/binary/header-flood: reconnect when the hub closes a socket, until the attack's end.")
  boolean reconnect;
}
