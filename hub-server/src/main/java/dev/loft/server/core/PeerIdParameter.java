package dev.loft.server.core;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reads {@code peerId} from a handshake's request target ({@code /any/path?peerId=...}). */
final class PeerIdParameter {
  private PeerIdParameter() {}

  static String from(String resource) {
    if (resource == null) {
      return null;
    }
    int query = resource.indexOf('?');
    if (query < 0) {
      return null;
    }
    for (String pair : resource.substring(query + 1).split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if ("peerId".equals(name) && eq >= 0) {
        try {
          return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }
}
