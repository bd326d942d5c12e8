package dev.loft.server.transport;

import java.nio.ByteBuffer;
import java.util.List;
import org.java_websocket.WebSocketListener;
import org.java_websocket.drafts.Draft;

/**
 * A connection whose {@link #decode} (one inbound read, on its decoder thread, possibly many
 * frames) is wrapped in a {@link ReadBatch}: everything the hub sends while handling that read is
 * written when it is done, coalesced per receiver.
 */
final class BatchingWebSocketImpl extends org.java_websocket.WebSocketImpl {
  BatchingWebSocketImpl(WebSocketListener listener, List<Draft> drafts) {
    super(listener, drafts);
  }

  BatchingWebSocketImpl(WebSocketListener listener, Draft draft) {
    super(listener, draft);
  }

  @Override
  public void decode(ByteBuffer socketBuffer) {
    ReadBatch batch = ReadBatch.open();
    try {
      super.decode(socketBuffer);
    } finally {
      if (batch != null) {
        batch.flush();
      }
    }
  }
}
