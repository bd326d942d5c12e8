package dev.loft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The hub's packages form layers: {@code dev.loft.server} (the hub and its assembly) and the
 * command line on top, the internal packages below, the value packages ({@code config},
 * {@code stats}, {@code events}) at the bottom. A cycle would make a package impossible to
 * understand, test or replace on its own; the JDK's own dependency analyser ({@code jdeps}) reads
 * the compiled classes, so an import added anywhere is seen.
 */
class PackagesAreLayeredWithoutCyclesTest {
  private static final String ROOT = "dev.loft.server";
  private static final Pattern EDGE = Pattern.compile("^\\s+(dev\\.loft\\.server[\\w.]*)\\s+->\\s+(dev\\.loft\\.server[\\w.]*)\\s");

  @Test
  void noPackageOfTheHubDependsOnAPackageThatDependsOnIt() {
    Map<String, Set<String>> edges = dependencies();
    assertTrue(edges.containsKey(ROOT + ".core"), "jdeps saw the classes: " + edges.keySet());
    List<String> cycles = new ArrayList<>();
    for (String from : edges.keySet()) {
      for (String to : edges.get(from)) {
        if (reaches(edges, to, from, new TreeSet<>())) {
          cycles.add(from + " -> " + to);
        }
      }
    }
    assertEquals(List.of(), cycles, "package cycles in " + edges);
  }

  @Test
  void onlyTheCommandLineDependsOnTheHubAndTheCoreNeverOnTheWebSocketTransport() {
    Map<String, Set<String>> edges = dependencies();
    edges.forEach((from, tos) -> {
      if (!from.equals(ROOT) && !from.equals(ROOT + ".cli")) {
        assertTrue(!tos.contains(ROOT), from + " depends on " + ROOT + " (it may only be assembled by it)");
      }
    });
    assertTrue(!edges.getOrDefault(ROOT + ".core", Set.of()).contains(ROOT + ".transport"),
        "the core knows links (" + ROOT + ".link), never the WebSocket transport behind them");
    for (String value : List.of("config", "stats", "events")) {
      Set<String> tos = edges.getOrDefault(ROOT + "." + value, Set.of());
      assertEquals(Set.of(), tos, ROOT + "." + value + " holds values and depends on no other package of the hub");
    }
  }

  /**
   * The Redis link moves bytes on channels for whoever holds it: it may know the configuration,
   * the statistics and the events, never the core, the transport or the peers' links, so that it
   * can be made, tested and replaced without a hub.
   */
  @Test
  void theClusterLinkNeedsNothingOfTheHubButValues() {
    Map<String, Set<String>> edges = dependencies();
    assertTrue(edges.containsKey(ROOT + ".cluster"), "jdeps saw the cluster package: " + edges.keySet());
    Set<String> allowed = Set.of(ROOT + ".config", ROOT + ".stats", ROOT + ".events");
    Set<String> beyond = new TreeSet<>(edges.get(ROOT + ".cluster"));
    beyond.removeAll(allowed);
    assertEquals(Set.of(), beyond, ROOT + ".cluster depends only on config, stats and events");
  }

  private static boolean reaches(Map<String, Set<String>> edges, String from, String target, Set<String> seen) {
    if (from.equals(target)) {
      return true;
    }
    if (!seen.add(from)) {
      return false;
    }
    for (String next : edges.getOrDefault(from, Set.of())) {
      if (reaches(edges, next, target, seen)) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Set<String>> dependencies() {
    Path classes = Path.of("target", "classes");
    assertTrue(Files.isDirectory(classes), "run from the module directory: " + classes.toAbsolutePath());
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    int rc = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
        "--multi-release", "17", "-verbose:package", "-filter:none", "-cp", System.getProperty("java.class.path"), classes.toString());
    assertEquals(0, rc, out.toString());
    Map<String, Set<String>> edges = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      Matcher m = EDGE.matcher(line);
      if (m.find() && !m.group(1).equals(m.group(2))) {
        edges.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
      }
    }
    return edges;
  }
}
