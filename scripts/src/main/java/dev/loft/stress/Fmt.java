package dev.loft.stress;

import java.util.Locale;

final class Fmt {
  private Fmt() {}

  static String mb(long bytes) {
    return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.1fMB", bytes / 1048576.0);
  }

  static String n(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  static String d(double v) {
    return String.format(Locale.ROOT, "%,.1f", v);
  }
}
