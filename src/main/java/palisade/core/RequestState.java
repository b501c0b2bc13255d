package palisade.core;

import java.util.Locale;

/** The state an operator asks for in a resource's configuration (Proxmox's `state`). */
public enum RequestState {
  STARTED, STOPPED, DISABLED, IGNORED;

  public static RequestState parse(String text, String where) {
    for (RequestState s : values()) {
      if (s.name().toLowerCase(Locale.ROOT).equals(text)) return s;
    }
    throw new ConfigException(where + ": state '" + text + "' is not one of started, stopped, disabled, ignored");
  }
}
