package dev.loft.stress.ws;

import static dev.loft.stress.ws.Recorder.concat;
import static dev.loft.stress.ws.Recorder.server;
import static dev.loft.stress.ws.Recorder.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server may split a message into fragments and send control frames between them (RFC 6455
 * section 5.4): the message must come out once, joined, and the ping must not end or corrupt it.
 */
class FragmentedTextSurvivesAPingBetweenItsFragmentsTest {
  private static byte[] fragmented() {
    return concat(
        server(Frames.TEXT, false, "Hel"),
        server(Frames.PING, true, "are you there"),
        server(Frames.CONTINUATION, false, "lo, "),
        server(Frames.CONTINUATION, true, "world"),
        text("next"));
  }

  private static final List<String> EXPECTED = List.of("ping:are you there", "message:Hello, world", "message:next");

  @Test
  void thePingIsAnsweredAndTheFragmentsAreJoinedIntoOneMessage() throws Exception {
    assertEquals(EXPECTED, new Recorder().feed(fragmented()).events);
  }

  @Test
  void fragmentsCutByReadsAreJoinedAllTheSame() throws Exception {
    assertEquals(EXPECTED, new Recorder().feedInReadsOf(1, fragmented()).events);
    assertEquals(EXPECTED, new Recorder().feedInReadsOf(7, fragmented()).events);
  }

  @Test
  void fragmentsLongerThanTheJoiningBufferAreJoinedWhole() throws Exception {
    String a = "a".repeat(5_000);
    String b = "b".repeat(70_000);
    byte[] frames = concat(server(Frames.TEXT, false, a), server(Frames.CONTINUATION, true, b));

    assertEquals(List.of("message:" + a + b), new Recorder().feed(frames).events);
  }

  @Test
  void aMessageAfterAFragmentedOneDoesNotInheritItsFragments() throws Exception {
    byte[] frames = concat(server(Frames.TEXT, false, "x"), server(Frames.CONTINUATION, true, "y"),
        server(Frames.TEXT, false, "p"), server(Frames.CONTINUATION, true, "q"));

    assertEquals(List.of("message:xy", "message:pq"), new Recorder().feed(frames).events);
  }
}
