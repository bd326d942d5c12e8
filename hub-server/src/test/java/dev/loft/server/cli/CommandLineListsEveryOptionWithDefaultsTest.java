package dev.loft.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.config.HubConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line is the operators' way to set every bound: each option is listed in
 * {@code --help} with its default, parses into {@link HubConfig}, can come from the environment,
 * and refuses bad values with a message rather than a stack trace.
 */
class CommandLineListsEveryOptionWithDefaultsTest {
  /** Options that configure the process, not the hub. */
  private static final Set<String> NOT_HUB_CONFIG = Set.of("--log-level", "--help", "--version");

  /**
   * HubConfig settings that have no command-line option today. Each is listed on purpose (and the
   * test checks it really has none, so that the list shrinks when one is added):
   * writeStallCheck is an internal work-around period (the library's lost write wake-up), not a
   * bound; maxListenersPerType is the bus's listener cap (its default lives in EventBus).
   */
  private static final Set<String> KNOWN_WITHOUT_OPTION = Set.of();

  private static final class Run {
    final LoftHubMain main = new LoftHubMain();
    final CommandLine cmd;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    Run(Map<String, String> env) {
      cmd = LoftHubMain.commandLine(main, env);
      cmd.setOut(new PrintWriter(out, true));
      cmd.setErr(new PrintWriter(err, true));
    }

    HubConfig parse(String... args) {
      cmd.parseArgs(args);
      return main.toConfig();
    }
  }

  private static Run run() {
    return new Run(Map.of());
  }

  private static String kebab(String camel) {
    return "--" + camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static String camel(String longOption) {
    String[] parts = longOption.substring(2).split("-");
    StringBuilder b = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
    }
    return b.toString();
  }

  private static Set<String> optionNames() {
    return run().cmd.getCommandSpec().options().stream()
        .map(OptionSpec::longestName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Object accessor(HubConfig config, String name) throws Exception {
    return HubConfig.class.getMethod(name).invoke(config);
  }

  // ------------------------------------------------------------------------------ --help

  @Test
  void helpListsEveryOptionWithItsDefault() {
    Run r = run();
    assertEquals(0, r.cmd.execute("--help"));
    String help = r.out.toString().replaceAll("\\s+", " ");
    assertTrue(help.contains("LOFT_MAX_PEERS"), "help explains the environment variables");
    List<OptionSpec> options = r.cmd.getCommandSpec().options();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < options.size(); i++) {
      OptionSpec o = options.get(i);
      String name = o.longestName();
      int at = help.indexOf(" " + name + (o.arity().max() > 0 ? "=" : ""), help.indexOf(" Every option"));
      if (at < 0) {
        problems.add(name + " is not listed");
        continue;
      }
      if (o.usageHelp() || o.versionHelp()) {
        continue;
      }
      int next = i + 1 < options.size() ? help.indexOf(" " + options.get(i + 1).longestName(), at + 1) : help.length();
      String entry = help.substring(at, next < 0 ? help.length() : next);
      Object initial = o.initialValue();
      if (initial == null) {
        if (!entry.contains("unset")) {
          problems.add(name + " has no default and does not say what unset means: " + entry);
        }
      } else if (!entry.contains("Default: " + initial)) {
        problems.add(name + " does not show its default " + initial + ": " + entry);
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void helpShowsTheBuiltInDefaultsOfHubConfig() {
    Run r = run();
    r.cmd.execute("--help");
    String help = r.out.toString().replaceAll("\\s+", " ");
    assertTrue(help.contains("--max-peers=<maxPeers> Peers connected at once. Default: " + HubConfig.DEFAULT_MAX_PEERS), help);
    assertTrue(help.contains("Default: " + HubConfig.DEFAULT_HOST), help);
    assertTrue(help.contains("Default: " + HubConfig.DEFAULT_MONITOR_INTERVAL), help);
  }

  // ------------------------------------------------------------------------------ parsing

  @Test
  void optionsParseIntoTheConfig() {
    HubConfig c = run().parse("--max-peers", "7", "--monitor-interval", "2s", "--announce-grace", "500ms",
        "--port", "0", "--admin-port", "-1", "--host", "0.0.0.0", "--admin-token", "tok",
        "--memory-pressure-ratio", "0.5", "--memory-recovery-ratio", "0.25", "--dedupe-ttl", "PT2M",
        "--outbound-high-watermark-bytes", "2097152", "--shutdown-grace", "1m");
    assertEquals(7, c.maxPeers());
    assertEquals(Duration.ofSeconds(2), c.monitorInterval());
    assertEquals(Duration.ofMillis(500), c.announceGrace());
    assertEquals(0, c.port());
    assertEquals(-1, c.adminPort());
    assertEquals("0.0.0.0", c.host());
    assertEquals("tok", c.adminToken());
    assertEquals(0.5, c.memoryPressureRatio());
    assertEquals(0.25, c.memoryRecoveryRatio());
    assertEquals(Duration.ofMinutes(2), c.dedupeTtl());
    assertEquals(2L * 1024 * 1024, c.outboundHighWatermarkBytes());
    assertEquals(Duration.ofMinutes(1), c.shutdownGrace());
  }

  @Test
  void noOptionsGiveExactlyTheBuilderDefaults() throws Exception {
    HubConfig fromCli = run().parse();
    HubConfig fromBuilder = HubConfig.builder().build();
    List<String> differences = new ArrayList<>();
    for (Method m : HubConfig.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())
          && m.getParameterCount() == 0 && !m.getName().equals("ticker") && !m.getName().equals("toBuilder")
          && !m.getName().equals("hashCode") && !m.getName().equals("toString")) {
        Object cli = m.invoke(fromCli);
        Object builder = m.invoke(fromBuilder);
        if (!java.util.Objects.equals(cli, builder)) {
          differences.add(m.getName() + ": cli " + cli + " vs builder " + builder);
        }
      }
    }
    assertEquals(List.of(), differences);
  }

  /** Each option, given a value other than its default, changes the config setting of its name. */
  @Test
  void everyOptionReachesTheConfig() throws Exception {
    List<String> problems = new ArrayList<>();
    for (OptionSpec o : run().cmd.getCommandSpec().options()) {
      String name = o.longestName();
      if (NOT_HUB_CONFIG.contains(name)) {
        continue;
      }
      Object initial = o.initialValue();
      String value;
      Object expected;
      Class<?> type = o.type();
      if (type == int.class || type == Integer.class) {
        expected = (Integer) initial + 1;
        value = expected.toString();
      } else if (type == long.class || type == Long.class) {
        expected = (Long) initial + 1;
        value = expected.toString();
      } else if (type == double.class || type == Double.class) {
        expected = (Double) initial - 0.05;
        value = expected.toString();
      } else if (type == Duration.class) {
        expected = ((Duration) initial).plusSeconds(1);
        value = expected.toString();
      } else if (type.isEnum()) {
        Object[] constants = type.getEnumConstants();
        expected = constants[(((Enum<?>) initial).ordinal() + 1) % constants.length];
        value = expected.toString();
      } else if (type == String.class) {
        expected = switch (name) {
          case "--host" -> "127.0.0.2";
          case "--redis" -> "redis://127.0.0.2:6380";
          default -> "value-for-" + name;
        };
        value = expected.toString();
      } else {
        problems.add(name + ": no test value for type " + type);
        continue;
      }
      Run r = run();
      HubConfig config;
      try {
        config = r.parse(name, value);
      } catch (RuntimeException e) {
        problems.add(name + " " + value + " refused: " + e.getMessage());
        continue;
      }
      Object actual;
      try {
        actual = accessor(config, camel(name));
      } catch (NoSuchMethodException e) {
        problems.add(name + " has no HubConfig." + camel(name) + "()");
        continue;
      }
      if (!expected.equals(actual)) {
        problems.add(name + " " + value + " gave " + camel(name) + "() = " + actual);
      }
    }
    assertEquals(List.of(), problems);
  }

  // ------------------------------------------------------------------------------ environment

  @Test
  void theEnvironmentAppliesWhenTheOptionIsAbsent() {
    HubConfig c = new Run(Map.of("LOFT_MAX_PEERS", "9", "LOFT_ANNOUNCE_GRACE", "750ms", "LOFT_HOST", "0.0.0.0"))
        .parse();
    assertEquals(9, c.maxPeers());
    assertEquals(Duration.ofMillis(750), c.announceGrace());
    assertEquals("0.0.0.0", c.host());
    assertEquals(HubConfig.DEFAULT_MAX_TOPICS, c.maxTopics(), "other options keep their defaults");
  }

  @Test
  void theCommandLineWinsOverTheEnvironment() {
    HubConfig c = new Run(Map.of("LOFT_MAX_PEERS", "9")).parse("--max-peers", "7");
    assertEquals(7, c.maxPeers());
  }

  @Test
  void blankEnvironmentValuesAreIgnored() {
    assertEquals(HubConfig.DEFAULT_MAX_PEERS, new Run(Map.of("LOFT_MAX_PEERS", " ")).parse().maxPeers());
  }

  @Test
  void aBadEnvironmentValueIsRefusedNamingTheOption() {
    CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
        () -> new Run(Map.of("LOFT_MAX_PEERS", "lots")).parse());
    assertTrue(e.getMessage().contains("--max-peers") && e.getMessage().contains("lots"), e.getMessage());
  }

  // ------------------------------------------------------------------------------ bad values

  @Test
  void malformedValuesAreRefusedAtParseTimeWithAClearMessage() {
    CommandLine.ParameterException duration = assertThrows(CommandLine.ParameterException.class,
        () -> run().parse("--monitor-interval", "xyz"));
    assertTrue(duration.getMessage().contains("--monitor-interval"), duration.getMessage());
    assertTrue(duration.getMessage().contains("'xyz' is not a duration"), duration.getMessage());

    CommandLine.ParameterException number = assertThrows(CommandLine.ParameterException.class,
        () -> run().parse("--max-peers", "many"));
    assertTrue(number.getMessage().contains("--max-peers"), number.getMessage());

    Run r = run();
    assertEquals(CommandLine.ExitCode.USAGE, r.cmd.execute("--monitor-interval", "xyz"));
    assertTrue(r.err.toString().contains("'xyz' is not a duration"), r.err::toString);
  }

  @Test
  void outOfRangeValuesAreRefusedWithTheBound() {
    IllegalArgumentException peers = assertThrows(IllegalArgumentException.class, () -> run().parse("--max-peers", "-1"));
    assertEquals("maxPeers must be at least 1, got -1", peers.getMessage());
    IllegalArgumentException grace = assertThrows(IllegalArgumentException.class, () -> run().parse("--announce-grace", "-5s"));
    assertTrue(grace.getMessage().contains("announceGrace must be a positive duration"), grace.getMessage());
    IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> run().parse("--port", "70000"));
    assertTrue(port.getMessage().contains("port must be in 0..65535"), port.getMessage());
    IllegalArgumentException ratios = assertThrows(IllegalArgumentException.class,
        () -> run().parse("--memory-recovery-ratio", "0.9"));
    assertTrue(ratios.getMessage().contains("memoryRecoveryRatio"), ratios.getMessage());
  }

  /**
   * Running {@code loft-hub --max-peers -1} must end like any other bad option: the message and
   * the usage on stderr, exit status 2 (usage error), not a stack trace and status 1.
   */
  @Test
  void anOutOfRangeValueIsAUsageErrorNotAStackTrace() {
    // Guard: only run the command while the value is known to be invalid (a valid one would start a hub).
    assertThrows(IllegalArgumentException.class, () -> HubConfig.builder().maxPeers(-1));
    Run r = run();
    int status = r.cmd.execute("--max-peers", "-1", "--port", "0", "--admin-port", "-1", "--log-level", "WARN");
    String err = r.err.toString();
    assertTrue(err.contains("maxPeers must be at least 1, got -1") || err.contains("--max-peers"), err);
    assertFalse(err.contains("\tat "), () -> "a stack trace for a bad option value:\n" + err);
    assertEquals(CommandLine.ExitCode.USAGE, status, err);
  }

  // ------------------------------------------------------------------------------ completeness

  /** Every {@code DEFAULT_X} bound in HubConfig can be set as {@code --x}. */
  @Test
  void everyHubConfigDefaultHasAnOption() {
    Set<String> options = optionNames();
    Set<String> missing = new TreeSet<>();
    for (var f : HubConfig.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getName().startsWith("DEFAULT_")) {
        String option = "--" + f.getName().substring("DEFAULT_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
        if (!options.contains(option)) {
          missing.add(option);
        }
      }
    }
    missing.removeAll(KNOWN_WITHOUT_OPTION);
    assertEquals(Set.of(), missing, "HubConfig defaults without a command-line option");
  }

  /** Every setting of HubConfig.Builder (but the test clock) can be set from the command line. */
  @Test
  void everyBuilderSettingHasAnOption() {
    Set<String> options = optionNames();
    Set<String> missing = new TreeSet<>();
    for (Method m : HubConfig.Builder.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && m.getReturnType() == HubConfig.Builder.class
          && m.getParameterCount() == 1 && !m.getName().equals("ticker")) {
        String option = kebab(m.getName());
        if (!options.contains(option)) {
          missing.add(option);
        }
      }
    }
    missing.removeAll(KNOWN_WITHOUT_OPTION);
    assertEquals(Set.of(), missing, "HubConfig.Builder settings without a command-line option");
  }

  /** The exclusions above are real: when an option is added, it must leave the list. */
  @Test
  void theKnownGapsAreStillGaps() {
    Set<String> options = optionNames();
    Set<String> settings = Arrays.stream(HubConfig.Builder.class.getDeclaredMethods())
        .map(m -> kebab(m.getName()))
        .collect(Collectors.toSet());
    for (String gap : KNOWN_WITHOUT_OPTION) {
      assertFalse(options.contains(gap), gap + " now has an option: remove it from KNOWN_WITHOUT_OPTION");
      assertTrue(settings.contains(gap), gap + " is no longer a HubConfig setting: remove it from KNOWN_WITHOUT_OPTION");
    }
    assertNotEquals(0, options.size());
  }
}
