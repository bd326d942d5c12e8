package dev.loft.client.example;

import com.google.gson.JsonPrimitive;
import dev.loft.client.HubClient;
import dev.loft.client.HubClientOptions;
import dev.loft.client.HubClients;

/** The README example: a peer that joins a chat topic, says hello, and leaves. Compiled by the build. */
public final class ChatPeerExample {
  public static void main(String[] args) {
    HubClientOptions options = HubClientOptions.builder().uri(args.length > 0 ? args[0] : "ws://127.0.0.1:3000/").networkName("chat").build();
    try (HubClient client = HubClients.create(options)) {
      client.connect().join();                       // announced; reconnects and re-subscribes by itself from now on
      client.subscribe("room.lobby", "printer",
          msg -> System.out.println(msg.fromPeerId() + ": " + msg.data()));
      client.publish("room.lobby", new JsonPrimitive("hello from " + client.peerId())).join(); // acked by the hub
    }                                                // close(): socket, timers and threads all gone
  }
}
