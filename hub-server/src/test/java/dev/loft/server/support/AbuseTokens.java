package dev.loft.server.support;

/** The admin token child hubs in tests are started with. */
public final class AbuseTokens {
  public static final String ADMIN = "test-admin-token";

  private AbuseTokens() {}
}
