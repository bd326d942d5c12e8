package dev.loft.client.support;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Reading how a request's future ended, without waiting for it. */
public final class Futures {
  private Futures() {}

  /** Why {@code f} failed; null while it runs or when it succeeded. */
  public static Throwable failureOf(CompletableFuture<?> f) {
    if (!f.isDone()) {
      return null;
    }
    try {
      f.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
