package dev.loft.stress;

import picocli.CommandLine.Option;

/**
 * The warm-up-then-measure options of the throughput scenarios (relay, fanout), kept in one
 * place so their names, defaults and help cannot drift apart.
 */
final class MeasuredRun {
  @Option(names = "--duration", defaultValue = "20", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
  double duration;

  @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured seconds first (default: ${DEFAULT-VALUE}).")
  double warmup;
}
