package dev.loft.stress;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code scripts/stress <scenario> [options]}: hammer a Loft hub and report figures and a chart. */
@Command(
    name = "stress",
    mixinStandardHelpOptions = true,
    version = "loft-stress 0.1.0",
    description = "Stress scenarios for a Loft hub. Each writes <scenario>-<timestamp>.json and .png"
        + " (hub heap, RSS and peers over time from /stats) into scripts/results/.",
    subcommands = {
      ChurnScenario.class,
      IdleScenario.class,
      RelayScenario.class,
      FanoutScenario.class,
      SlowScenario.class,
      FloodScenario.class,
      StormScenario.class,
      AbuseScenario.class
    })
public final class StressMain implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static CommandLine commandLine() {
    return new CommandLine(new StressMain()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    int code = commandLine().execute(args);
    System.exit(code);
  }
}
