package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import dev.loft.client.support.FakeHub;
import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.FrameCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guards the socket's message bound. It must let through the largest frame the client's codec
 * accepts even when every char takes 3 UTF-8 bytes (a bound counted in chars, or the hub's
 * inbound byte limit, would cut it), and it must exist at all: Java-WebSocket's default is
 * {@code Integer.MAX_VALUE}, so an endpoint could make the client buffer a 2 GiB message.
 */
class HubFramesAreReadUpToTheCodecLimitTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int MAX_CHARS = FrameCodec.DEFAULT.limits().maxFrameChars();
  /** Three UTF-8 bytes, one char. */
  private static final String EURO = "\u20ac";

  private FakeHub hub;
  private HubClient client;
  private final Recorder<StateChange> states = new Recorder<>();
  private final List<String> badFrames = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    hub = FakeHub.listen();
    ErrorListener errors =
        new ErrorListener() {
          @Override
          public void badFrame(HubClient c, String reason) {
            badFrames.add(reason);
          }
        };
    client = HubClients.create(TestClients.options(hub.uri()).errorListener(errors).build());
    client.onStateChange("test", states);
  }

  @AfterEach
  void stop() {
    client.close();
    hub.close();
  }

  @Test
  void largestHubFrameIsAccepted() {
    Recorder<TopicMessage> received = new Recorder<>();
    client.subscribe("big", "test", received);
    client.connect().orTimeout(10, TimeUnit.SECONDS).join();

    int envelope = FakeHub.message("big", new JsonPrimitive("")).length();
    String data = EURO.repeat(MAX_CHARS - envelope);
    String frame = FakeHub.message("big", new JsonPrimitive(data));
    assertEquals(MAX_CHARS, frame.length(), "exactly as long as the codec allows");
    assertTrue(frame.getBytes(StandardCharsets.UTF_8).length > 2 * MAX_CHARS, "and nearly 3 bytes per char");

    hub.sendToAnnounced(frame);
    await().atMost(WAIT).until(() -> received.size() == 1 || !badFrames.isEmpty() || disconnected());
    assertEquals(List.of(), badFrames);
    assertEquals(List.of(), states.ofType(StateChange.Disconnected.class));
    assertEquals(data, received.all().get(0).data().getAsString());
  }

  @Test
  void oversizedHubFrameClosesTheSocketInsteadOfBeingBuffered() {
    client.connect().orTimeout(10, TimeUnit.SECONDS).join();

    // One byte past any text the codec could decode: refused from its header, never read.
    String tooBig = EURO.repeat(MAX_CHARS) + "x";
    hub.sendToAnnounced(tooBig);
    await().atMost(WAIT).until(() -> disconnected() || !badFrames.isEmpty());
    assertEquals(List.of(), badFrames, "the message must not have been read in full");
    StateChange.Disconnected closed = states.ofType(StateChange.Disconnected.class).get(0);
    assertEquals(CloseCodes.TOO_BIG, closed.code(), closed.toString());
  }

  private boolean disconnected() {
    return states.any(s -> s instanceof StateChange.Disconnected);
  }
}
