package palisade.core;

import java.util.Locale;

/**
 * The cluster resource scheduler's measure of load (Proxmox's `crs` option): {@code basic} counts resources per node,
 * {@code static} weighs each resource's configured CPUs and memory against each node's capacity, {@code dynamic}
 * the usage measured for each running resource (its configured figures until a measurement arrives).
 */
public enum Crs {
  BASIC, STATIC, DYNAMIC;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Crs parse(String v, String where) {
    for (Crs c : values()) {
      if (c.label().equals(v)) return c;
    }
    throw new ConfigException(where + ": expected basic, static or dynamic, got '" + v + "'");
  }
}
