package palisade.runtime.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import palisade.core.ConfigException;

/**
 * {@code spm: {start_command, stop_command}}: what this host runs when it takes up and gives back the SPM role
 * (host-local commands, run with {@code /bin/sh -c}; see {@link SpmHooks}). Absent: the role does nothing here.
 *
 * @param startCommand null: nothing to start
 * @param stopCommand null: nothing to run before the start command's processes are killed
 */
public record SpmSection(String startCommand, String stopCommand) {
  /** A command is a line or a short script; more is a file the command should name. */
  static final int COMMAND_CHARS_MAX = 4096;

  static SpmSection none() {
    return new SpmSection(null, null);
  }

  boolean configured() {
    return startCommand != null || stopCommand != null;
  }

  static SpmSection parse(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) return none();
    if (!n.isObject()) throw new ConfigException("spm: expected a mapping (start_command, stop_command)");
    ConfigYaml.onlyKeys(n, "spm.", Set.of("start_command", "stop_command"));
    return new SpmSection(command(n, "start_command"), command(n, "stop_command"));
  }

  private static String command(JsonNode n, String key) {
    if (!n.has(key) || n.get(key).isNull()) return null;
    String c = ConfigYaml.text(n.get(key), "spm." + key);
    if (c.length() > COMMAND_CHARS_MAX) {
      throw new ConfigException("spm." + key + ": longer than " + COMMAND_CHARS_MAX + " characters (put it in a "
          + "script and name the script)");
    }
    if (c.indexOf('\0') >= 0) throw new ConfigException("spm." + key + ": contains a NUL character");
    return c;
  }
}
