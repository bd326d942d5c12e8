package dev.loft.server.transport;

import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import java.io.IOException;
import java.net.InetAddress;

/** Creates {@link BatchingWebSocketImpl} connections, each socket wrapped in a {@link CountingChannel}. */
final class CountingServerFactory implements WebSocketServerFactory {
  private final HandshakeGuard guard;
  private final TransportLimits limits;

  CountingServerFactory(HandshakeGuard guard, TransportLimits limits) {
    this.guard = guard;
    this.limits = limits;
  }

  @Override
  public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
    return new BatchingWebSocketImpl(a, List.of(d), limits);
  }

  @Override
  public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> drafts) {
    return new BatchingWebSocketImpl(a, drafts, limits);
  }

  @Override
  public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws IOException {
    // The library registers the key with the connection as attachment before wrapping.
    WebSocketImpl conn = (WebSocketImpl) key.attachment();
    InetAddress address = channel.socket().getInetAddress();
    if (address == null || !guard.admit(conn, address)) {
      channel.close(); // too many half-done handshakes: refuse at once, before it costs more
    }
    return new CountingChannel(channel, conn.outQueue);
  }

  @Override
  public void close() {
    // nothing held
  }
}
