package palisade.core;

import java.util.Locale;

/** What a fence device is asked to do (the fence-agent API's actions). */
public enum PowerAction {
  OFF, ON, STATUS;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
