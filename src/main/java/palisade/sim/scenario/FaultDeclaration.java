package palisade.sim.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.sim.DriverModel;

/**
 * A resource's injected driver failures on its `resource` line: {@code fail_start=NODE[:N],...} (NODE alone: every
 * start there fails; NODE:N: the next N starts there fail, then it works), {@code fail_migrate=yes|NODE[:N],...}
 * (yes: every live migration fails, as before; NODE: migrations to that node) and {@code fail_stop=NODE,...}.
 */
final class FaultDeclaration {
  private enum Kind { START, MIGRATE, STOP }

  private record Fault(Kind kind, String id, String node, int times) {}

  private final List<Fault> faults = new ArrayList<>();

  void resource(String id, Map<String, String> kv, Set<String> nodes) {
    if (kv.containsKey("fail_start")) items(Kind.START, id, kv.get("fail_start"), nodes, "fail_start");
    String m = kv.get("fail_migrate");
    if (m != null) {
      if (m.equals("yes")) faults.add(new Fault(Kind.MIGRATE, id, DriverModel.ANY, -1));
      else if (!m.equals("no")) items(Kind.MIGRATE, id, m, nodes, "fail_migrate");
    }
    if (kv.containsKey("fail_stop")) items(Kind.STOP, id, kv.get("fail_stop"), nodes, "fail_stop");
  }

  private void items(Kind kind, String id, String value, Set<String> nodes, String key) {
    String where = "resource " + id + " " + key;
    for (String item : value.split(",")) {
      String[] nn = item.split(":", 2);
      if (!nodes.contains(nn[0])) throw new ConfigException(where + ": unknown node '" + nn[0] + "'");
      int times = -1;
      if (nn.length == 2) {
        if (kind == Kind.STOP) throw new ConfigException(where + ": expected NODE,... (no count), got '" + item + "'");
        times = DeclarationValues.integer(nn[1], where + " count of " + nn[0]);
        if (times < 1) throw new ConfigException(where + ": the count of " + nn[0] + " must be at least 1");
      }
      faults.add(new Fault(kind, id, nn[0], times));
    }
  }

  void applyTo(DriverModel model) {
    for (Fault f : faults) {
      switch (f.kind()) {
        case START -> model.failStart(f.id(), f.node(), f.times());
        case MIGRATE -> model.failMigrate(f.id(), f.node(), f.times());
        case STOP -> model.failStop(f.id(), f.node());
      }
    }
  }
}
