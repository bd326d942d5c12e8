package dev.loft.stress.ws;

import static dev.loft.stress.ws.Recorder.concat;
import static dev.loft.stress.ws.Recorder.server;
import static dev.loft.stress.ws.Recorder.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A frame no server may send (RFC 6455 sections 5.1, 5.2, 5.5) ends the connection instead of being
 * read as something it is not; a length the tool cannot hold is refused from the header alone,
 * before a byte of it is buffered.
 */
class BrokenServerFramesAreRefusedTest {
  @Test
  void aMaskedFrameFromTheServerIsRefused() {
    byte[] masked = Frames.encode(Frames.TEXT, true, "hi".getBytes(StandardCharsets.US_ASCII), 0, 2, new byte[] {1, 2, 3, 4});

    assertRefused("masked", masked);
  }

  @Test
  void reservedBitsWithoutAnExtensionAreRefused() {
    for (int rsv : new int[] {0x40, 0x20, 0x10}) {
      byte[] frame = text("hi");
      frame[0] |= (byte) rsv;
      assertRefused("reserved bits", frame);
    }
  }

  @Test
  void aReservedOpcodeIsRefused() {
    for (int op : new int[] {0x3, 0x7, 0xB, 0xF}) {
      assertRefused("reserved opcode", server(op, true, "x"));
    }
  }

  @Test
  void aLengthAboveTheLimitIsRefusedBeforeItsPayloadArrives() {
    byte[] header = {(byte) 0x81, 126, 0x04, 0x00}; // 1024 bytes announced, none sent
    Recorder small = new Recorder(1000);

    ProtocolException e = assertThrows(ProtocolException.class, () -> small.feed(header));
    assertTrue(e.getMessage().contains("1024"), e.getMessage());
  }

  @Test
  void a64BitLengthWithItsTopBitSetIsRefused() {
    byte[] header = {(byte) 0x81, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1};

    assertRefused("too large", header);
  }

  @Test
  void aHugeLengthIsRefusedAndNothingIsAllocatedForIt() {
    byte[] header = {(byte) 0x82, 127, 0, 0, 0x01, 0, 0, 0, 0, 0}; // 2^40 bytes

    assertRefused("too large", header);
  }

  @Test
  void fragmentsAddingUpToMoreThanTheLimitAreRefused() {
    Recorder small = new Recorder(1000);
    byte[] frames = concat(server(Frames.TEXT, false, "a".repeat(600)), server(Frames.CONTINUATION, true, "b".repeat(600)));

    assertThrows(ProtocolException.class, () -> small.feed(frames));
    assertEquals(List.of(), small.events);
  }

  @Test
  void aControlFrameLongerThan125BytesIsRefused() {
    assertRefused("control frame", server(Frames.PING, true, "p".repeat(126)));
  }

  @Test
  void aFragmentedControlFrameIsRefused() {
    assertRefused("fragmented control", server(Frames.PING, false, "p"));
  }

  @Test
  void aContinuationWithoutAMessageToContinueIsRefused() {
    assertRefused("continuation", server(Frames.CONTINUATION, true, "orphan"));
  }

  @Test
  void aNewMessageInsideAFragmentedOneIsRefused() {
    assertRefused("new message", concat(server(Frames.TEXT, false, "first half"), text("interloper")));
  }

  @Test
  void framesBeforeTheBrokenOneAreStillDelivered() {
    Recorder r = new Recorder();
    byte[] frames = concat(text("fine"), server(0x3, true, "bad"), text("never"));

    assertThrows(ProtocolException.class, () -> r.feed(frames));
    assertEquals(List.of("message:fine"), r.events);
  }

  private static void assertRefused(String why, byte[] frame) {
    Recorder r = new Recorder();
    ProtocolException e = assertThrows(ProtocolException.class, () -> r.feed(frame));
    assertTrue(e.getMessage().contains(why), e.getMessage());
    assertEquals(List.of(), r.events, "nothing delivered from a refused frame");
  }
}
