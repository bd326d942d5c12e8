package dev.loft.server.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option can also come from the environment: {@code --max-peers} is {@code LOFT_MAX_PEERS}.
 * The command line wins over the environment, the environment over the built-in default.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
  private final Map<String, String> env;

  EnvironmentDefaults(Map<String, String> env) {
    this.env = env;
  }

  static String variableFor(String longOption) {
    return "LOFT_" + longOption.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec option && option.longestName().startsWith("--")) {
      String value = env.get(variableFor(option.longestName()));
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return arg.defaultValue();
  }
}
