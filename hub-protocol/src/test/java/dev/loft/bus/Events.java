package dev.loft.bus;

/** Event types for the bus tests. */
final class Events {
  private Events() {}

  record Tick(int n) {}

  record Tock(String s) {}

  record Other(long v) {}

  static class Base {}

  static final class Derived extends Base {}
}
