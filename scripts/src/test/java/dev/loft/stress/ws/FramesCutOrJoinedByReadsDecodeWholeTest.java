package dev.loft.stress.ws;

import static dev.loft.stress.ws.Recorder.concat;
import static dev.loft.stress.ws.Recorder.server;
import static dev.loft.stress.ws.Recorder.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A read ends wherever the kernel's buffer did, not where a frame does: a frame cut by a read
 * must come out once and whole, and several frames in one read must all come out, in order.
 */
class FramesCutOrJoinedByReadsDecodeWholeTest {
  private static final String MEDIUM = "m".repeat(300); // 16-bit length
  private static final String LARGE = "L".repeat(70_000); // 64-bit length

  private static byte[] stream() {
    return concat(text("a"), server(Frames.PING, true, "p"), text(MEDIUM), text(""), text("{\"type\":\"connected\"}"));
  }

  private static final List<String> EXPECTED =
      List.of("message:a", "ping:p", "message:" + MEDIUM, "message:", "message:{\"type\":\"connected\"}");

  @Test
  void severalFramesInOneReadAllComeOutInOrder() throws Exception {
    assertEquals(EXPECTED, new Recorder().feed(stream()).events);
  }

  @Test
  void framesArrivingOneByteAtATimeComeOutOnceAndWhole() throws Exception {
    assertEquals(EXPECTED, new Recorder().feedInReadsOf(1, stream()).events);
  }

  @Test
  void aReadMayEndAtAnyByteOfAFrame() throws Exception {
    byte[] all = stream();
    for (int cut = 1; cut < all.length; cut++) {
      Recorder r = new Recorder();
      r.decoder.feed(all, 0, cut);
      r.decoder.feed(all, cut, all.length - cut);
      assertEquals(EXPECTED, r.events, "cut after byte " + cut);
    }
  }

  @Test
  void aLargeFrameCutInItsLengthFieldOrPayloadComesOutWhole() throws Exception {
    byte[] all = concat(text(LARGE), text("after"));
    for (int cut : new int[] {1, 2, 5, 9, 10, 11, 40_000, all.length - 12, all.length - 1}) {
      Recorder r = new Recorder();
      r.decoder.feed(all, 0, cut);
      r.decoder.feed(all, cut, all.length - cut);
      assertEquals(List.of("message:" + LARGE, "message:after"), r.events, "cut after byte " + cut);
    }
  }

  @Test
  void aLargeFrameInManySmallReadsComesOutOnce() throws Exception {
    byte[] all = concat(text("before"), text(LARGE), text("after"));

    assertEquals(List.of("message:before", "message:" + LARGE, "message:after"),
        new Recorder().feedInReadsOf(1_000, all).events);
  }

  @Test
  void aFrameCutAgainAfterACompletedOneIsNotMixedUpWithIt() throws Exception {
    byte[] all = concat(text("one"), text("two"), text("three"));
    Recorder r = new Recorder();

    r.decoder.feed(all, 0, 4); // "one" cut
    r.decoder.feed(all, 4, 6); // the rest of "one", "two" cut
    r.decoder.feed(all, 10, all.length - 10);

    assertEquals(List.of("message:one", "message:two", "message:three"), r.events);
  }
}
