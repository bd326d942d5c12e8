package dev.loft.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards against docs/protocol.md drifting from the code: every JSON example must decode, hub
 * frames must be shown exactly as the codec writes them, and every error code, close code, frame
 * type and limit must be documented. Skipped when the module is built without the repository's
 * docs directory.
 */
class ProtocolDocMatchesTheCodeTest {
  private static final Path DOC = Path.of("..", "docs", "protocol.md");
  private static final Set<String> HUB_WRITTEN =
      Set.of("connected", "peer-discovered", "peer-disconnected", "pong", "error", "ack", "message");

  private static String doc;

  @BeforeAll
  static void read() throws IOException {
    assumeTrue(Files.isRegularFile(DOC), "no " + DOC.toAbsolutePath());
    doc = Files.readString(DOC, StandardCharsets.UTF_8);
  }

  static List<String> jsonExamples() {
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL).matcher(doc);
    while (m.find()) {
      blocks.add(m.group(1).trim());
    }
    return blocks;
  }

  @Test
  void everyJsonExampleIsAFrameAndHubFramesAreShownAsWritten() {
    List<String> examples = jsonExamples();
    assertTrue(examples.size() > 20, "found only " + examples.size() + " examples");
    Set<String> typesShown = new TreeSet<>();
    for (String example : examples) {
      Frame frame;
      try {
        frame = FrameCodec.DEFAULT.decode(example);
      } catch (ProtocolException e) {
        fail("example does not decode (" + e + "): " + example);
        return;
      }
      typesShown.add(frame.type());
      boolean hubWritten =
          HUB_WRITTEN.contains(frame.type())
              || Samples.json(example).has("fromPeerId"); // relayed signals and directs
      if (hubWritten) {
        assertEquals(example, FrameCodec.DEFAULT.encode(frame), "the hub would write this example differently");
      }
    }
    assertEquals(wireTypes(), typesShown, "every frame type needs a JSON example");
  }

  @Test
  void everyErrorCodeIsDocumented() {
    for (ErrorCode code : ErrorCode.values()) {
      assertTrue(doc.contains("| `" + code.name() + "` |"), code + " is missing from the error code table");
    }
  }

  @Test
  void everyCloseCodeIsDocumented() throws IllegalAccessException {
    for (Field f : CloseCodes.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
        String row = "| `" + f.getInt(null) + "` | `" + f.getName() + "` |";
        assertTrue(doc.contains(row), f.getName() + " is missing from the close code table");
      } else if (f.getType() == String.class) {
        String reason = (String) f.get(null);
        assertTrue(doc.contains(reason), "close reason '" + reason + "' is not documented");
      }
    }
  }

  @Test
  void everyLimitIsDocumented() {
    for (String name :
        List.of(
            "PEER_ID_LENGTH", "MAX_NETWORK_NAME_LENGTH", "MAX_TOPIC_LENGTH", "MAX_REQUEST_ID_LENGTH",
            "MAX_DEPTH", "DEFAULT_MAX_FRAME_BYTES", "DEFAULT_NETWORK")) {
      assertTrue(doc.contains(name), name + " is missing from the limits");
    }
    assertTrue(doc.contains("| Network name | 1-" + ProtocolLimits.MAX_NETWORK_NAME_LENGTH + " characters"));
    assertTrue(doc.contains("| Topic | 1-" + ProtocolLimits.MAX_TOPIC_LENGTH + " characters"));
    assertTrue(doc.contains("| Request id | 1-" + ProtocolLimits.MAX_REQUEST_ID_LENGTH + " characters"));
    assertTrue(doc.contains("| Nesting depth | " + ProtocolLimits.MAX_DEPTH + ","));
    assertTrue(doc.contains("(" + String.format("%,d", ProtocolLimits.DEFAULT_MAX_FRAME_BYTES) + ")"));
  }

  private static Set<String> wireTypes() {
    Set<String> types = new TreeSet<>();
    for (Field f : FrameTypes.class.getFields()) {
      if (!f.getName().equals("SYSTEM_SENDER")) {
        try {
          types.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return types;
  }
}
