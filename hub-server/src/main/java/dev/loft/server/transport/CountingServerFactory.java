package dev.loft.server.transport;

import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;

/** Creates {@link BatchingWebSocketImpl} connections, each socket wrapped in a {@link CountingChannel}. */
final class CountingServerFactory implements WebSocketServerFactory {
  @Override
  public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
    return new BatchingWebSocketImpl(a, d);
  }

  @Override
  public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> drafts) {
    return new BatchingWebSocketImpl(a, drafts);
  }

  @Override
  public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) {
    // The library registers the key with the connection as attachment before wrapping.
    WebSocketImpl conn = (WebSocketImpl) key.attachment();
    return new CountingChannel(channel, conn.outQueue);
  }

  @Override
  public void close() {
    // nothing held
  }
}
