package dev.loft.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Guards the commands README gives operators: a shell script with a syntax error (a stray quote
 * in scripts/run-hub went unnoticed for a day) fails here, not on an operator's machine.
 */
class OperatorScriptsParseAndRunTest {
  /** The repository root: tests run in the scripts module's directory. */
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  @ParameterizedTest
  @ValueSource(strings = {"scripts/run-hub", "scripts/run-cluster", "scripts/test", "scripts/stress", ".ci/run"})
  void everyOperatorScriptParses(String script) throws Exception {
    Path file = ROOT.resolve(script);
    assertTrue(Files.isExecutable(file), script + " is not executable");
    Result r = run(List.of("bash", "-n", file.toString()), 30);
    assertEquals(0, r.exit, script + " does not parse: " + r.output);
  }

  @Test
  void runHubStartsTheHubsCommandLine() throws Exception {
    Result r = run(List.of(ROOT.resolve("scripts/run-hub").toString(), "--help"), 120);
    assertEquals(0, r.exit, "scripts/run-hub --help: " + r.output);
    assertTrue(r.output.contains("--port") && r.output.contains("--redis"), r.output);
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> command, long seconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
    byte[] out;
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "did not end within " + seconds + " s");
      }
      out = p.getInputStream().readAllBytes();
    } finally {
      p.destroyForcibly();
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
