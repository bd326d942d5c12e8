package dev.loft.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.HubServer;
import dev.loft.server.support.Hubs;
import org.junit.jupiter.api.Test;

/**
 * Opening the WebSocket port to the world (--host 0.0.0.0) opened the admin API with it: /stats,
 * /metrics and, with a token, kicks and publishes on every interface.
 */
class AdminListensOnItsOwnHostTest {

  @Test
  void wideOpenWebSocketHostLeavesTheAdminOnLoopback() {
    try (HubServer hub = Hubs.start(Hubs.config().host("0.0.0.0").adminPort(0))) {
      assertTrue(hub.adminAddress().getAddress().isLoopbackAddress(), "admin on " + hub.adminAddress());
    }
  }

  @Test
  void anOperatorMayOpenTheAdminOnPurpose() {
    try (HubServer hub = Hubs.start(Hubs.config().adminHost("0.0.0.0").adminPort(0))) {
      assertTrue(hub.adminAddress().getAddress().isAnyLocalAddress(), "admin on " + hub.adminAddress());
      assertEquals("127.0.0.1", hub.config().host(), "the WebSocket host is its own option");
    }
  }
}
