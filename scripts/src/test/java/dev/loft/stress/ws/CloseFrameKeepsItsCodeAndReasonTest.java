package dev.loft.stress.ws;

import static dev.loft.stress.ws.Recorder.concat;
import static dev.loft.stress.ws.Recorder.server;
import static dev.loft.stress.ws.Recorder.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scenarios check the hub's close codes (4000 slow, 4001 rate limit): a code read wrong fails a run that passed. */
class CloseFrameKeepsItsCodeAndReasonTest {
  @Test
  void theCodeAndTheReasonOfACloseFrameAreReadBack() throws Exception {
    byte[] close = server(Frames.CLOSE, true, Frames.closePayload(4000, "slow consumer"));

    assertEquals(List.of("close:4000:slow consumer"), new Recorder().feed(close).events);
  }

  @Test
  void aReasonInUtf8IsNotReadAsLatin1() throws Exception {
    byte[] close = server(Frames.CLOSE, true, Frames.closePayload(1001, "hub stops – bye"));

    assertEquals(List.of("close:1001:hub stops – bye"), new Recorder().feed(close).events);
  }

  @Test
  void aCloseFrameWithoutACodeIsReportedAs1005() throws Exception {
    assertEquals(List.of("close:1005:"), new Recorder().feed(server(Frames.CLOSE, true, new byte[0])).events);
  }

  @Test
  void theCodeIsTwoBytesInNetworkByteOrder() {
    assertArrayEquals(new byte[] {(byte) 0x0F, (byte) 0xA1, 'o', 'k'}, Frames.closePayload(4001, "ok"));
    assertArrayEquals(new byte[] {(byte) 0x03, (byte) 0xE8}, Frames.closePayload(1000, null));
  }

  @Test
  void framesAfterTheCloseFrameAreStillDecoded() throws Exception {
    // the connection decides what a frame after the close means; the decoder must not lose them
    byte[] frames = concat(server(Frames.CLOSE, true, Frames.closePayload(1000, "")), text("late"));

    assertEquals(List.of("close:1000:", "message:late"), new Recorder().feed(frames).events);
  }

  @Test
  void aOneBytePayloadIsNoCodeAndIsRefused() {
    byte[] close = server(Frames.CLOSE, true, new byte[] {0x03});

    assertThrows(ProtocolException.class, () -> new Recorder().feed(close));
  }
}
