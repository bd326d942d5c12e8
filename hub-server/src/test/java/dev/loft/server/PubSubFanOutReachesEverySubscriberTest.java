package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Topic fan-out, unsubscribe, presence and direct messages. */
class PubSubFanOutReachesEverySubscriberTest {
  private HubServer hub;
  private final List<TestPeer> peers = new ArrayList<>();

  @BeforeEach
  void start() {
    hub = Hubs.start();
  }

  @AfterEach
  void stop() {
    peers.forEach(TestPeer::close);
    hub.close();
  }

  private TestPeer peer() {
    TestPeer p = TestPeer.connect(hub.uri());
    peers.add(p);
    return p;
  }

  private static void subscribe(TestPeer p, String topic) {
    p.send(Json.obj("type", "subscribe", "id", "sub-" + topic, "topic", topic));
    assertEquals("sub-" + topic, p.expect("ack").get("id").getAsString());
  }

  @Test
  void publicationReachesAllHundredSubscribersButNotThePublisher() {
    List<TestPeer> subscribers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      TestPeer s = peer();
      subscribe(s, "news");
      subscribers.add(s);
    }
    TestPeer publisher = peer();
    subscribe(publisher, "news");
    assertEquals(101, hub.stats().get(Stat.SUBSCRIPTIONS));
    assertEquals(1, hub.stats().get(Stat.TOPICS));

    publisher.send(Json.obj("type", "publish", "id", "p1", "topic", "news", "data", Json.obj("headline", "hi")));
    JsonObject ack = publisher.expect("ack");
    assertEquals("p1", ack.get("id").getAsString());
    assertEquals(100, ack.getAsJsonObject("data").get("delivered").getAsInt());
    for (TestPeer s : subscribers) {
      JsonObject m = s.expect("message");
      assertEquals("news", m.get("topic").getAsString());
      assertEquals(publisher.id(), m.get("fromPeerId").getAsString());
      assertEquals("hi", m.getAsJsonObject("data").get("headline").getAsString());
    }
    publisher.expectNothingFor(100);
  }

  @Test
  void unsubscribedAndDisconnectedPeersLeaveNoSubscriptionBehind() {
    TestPeer a = peer();
    TestPeer b = peer();
    subscribe(a, "t1");
    subscribe(a, "t2");
    subscribe(b, "t1");
    a.send(Json.obj("type", "unsubscribe", "id", "u", "topic", "t1"));
    a.expect("ack");
    assertEquals(2, hub.stats().get(Stat.SUBSCRIPTIONS));
    TestPeer pub = peer();
    pub.send(Json.obj("type", "publish", "topic", "t1", "data", 1));
    b.expect("message");
    a.expectNothingFor(100);
    a.close();
    b.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.SUBSCRIPTIONS) == 0);
    assertEquals(0, hub.stats().get(Stat.TOPICS));
  }

  @Test
  void presenceListsNetworkMembersAndTopicSubscribers() {
    TestPeer a = peer();
    TestPeer b = peer();
    a.announce("lobby");
    b.announce("lobby");
    a.expect("peer-discovered");
    b.expect("peer-discovered");
    subscribe(b, "chat");
    a.send(Json.obj("type", "presence", "id", "q1", "networkName", "lobby"));
    JsonObject net = a.expect("ack").getAsJsonObject("data");
    assertEquals(2, net.get("count").getAsInt());
    assertEquals(2, net.getAsJsonArray("peers").size());
    assertFalse(net.get("truncated").getAsBoolean());
    a.send(Json.obj("type", "presence", "id", "q2", "topic", "chat"));
    JsonObject topic = a.expect("ack").getAsJsonObject("data");
    assertEquals(1, topic.get("count").getAsInt());
    assertEquals(b.id(), topic.getAsJsonArray("peers").get(0).getAsString());
  }

  @Test
  void presenceOfANetworkIsRefusedToPeersOutsideIt() {
    TestPeer inside = peer();
    TestPeer outside = peer();
    inside.announce("private");
    outside.announce("elsewhere");
    outside.send(Json.obj("type", "presence", "id", "peek", "networkName", "private"));
    assertEquals("peek", outside.expectError("NOT_ANNOUNCED").get("id").getAsString());
  }

  @Test
  void directMessageReachesOnlyItsTargetWithTheStampedSender() {
    TestPeer a = peer();
    TestPeer b = peer();
    TestPeer c = peer();
    a.announce("n");
    b.announce("n");
    c.announce("n");
    // b's and c's announces run on their own decoder threads: a direct sent before b joined would
    // rightly get PEER_NOT_FOUND. a knows b is there once it was told about b.
    a.expectMatching(f -> f.get("type").getAsString().equals("peer-discovered")
        && f.getAsJsonObject("data").get("peerId").getAsString().equals(b.id()), "b's discovery");
    a.send(Json.obj("type", "direct", "id", "d1", "targetPeerId", b.id(), "fromPeerId", c.id(), "data", "psst"));
    JsonObject got = b.expectMatching(f -> f.get("type").getAsString().equals("direct"), "a direct frame");
    assertEquals(a.id(), got.get("fromPeerId").getAsString());
    assertEquals("psst", got.get("data").getAsString());
    a.expectMatching(f -> f.get("type").getAsString().equals("ack"), "the direct's ack");
    c.expectMatching(f -> f.get("type").getAsString().equals("peer-discovered"), "discovery");
    c.expectMatching(f -> f.get("type").getAsString().equals("peer-discovered"), "discovery");
    c.expectNothingFor(200);
  }

  @Test
  void retriedPublishWithTheSameIdIsAcknowledgedButNotDeliveredTwice() {
    TestPeer sub = peer();
    subscribe(sub, "orders");
    TestPeer pub = peer();
    JsonObject frame = Json.obj("type", "publish", "id", "order-7", "topic", "orders", "data", 7);
    pub.send(frame);
    pub.expect("ack");
    pub.send(frame);
    pub.expect("ack");
    sub.expect("message");
    sub.expectNothingFor(200);
    assertEquals(1, hub.stats().get(Stat.DEDUPE_HITS));
  }
}
