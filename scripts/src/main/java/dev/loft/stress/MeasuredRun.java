package dev.loft.stress;

import picocli.CommandLine.Option;

/**
 * Warm up, then measure: the throughput scenarios' (relay, fanout) run and its options, in one
 * place so that their names, defaults, help and sequence cannot drift apart.
 */
final class MeasuredRun {
  @Option(names = "--duration", defaultValue = "20", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
  double duration;

  @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured seconds first (default: ${DEFAULT-VALUE}).")
  double warmup;

  /**
   * With the load already running: {@code --warmup} seconds unmeasured (connections, JIT and the
   * hub's queues settle), then {@code window} open for {@code --duration} seconds, /stats at both ends.
   */
  Window measure(Scenario scenario, Window window) throws Exception {
    scenario.hold(warmup);
    window.open("measure", Window.Stats.PLAIN);
    scenario.hold(duration);
    return window.close(null, Window.Stats.PLAIN);
  }
}
