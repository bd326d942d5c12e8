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

  /** Rounded to 3 decimals, for figures in the JSON (seconds to the millisecond, ratios). */
  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static String d(double v) {
    return String.format(Locale.ROOT, "%,.1f", v);
  }
}
