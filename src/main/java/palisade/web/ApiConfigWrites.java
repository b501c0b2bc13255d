package palisade.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.FenceDeviceDef;
import palisade.core.StorePaths;
import palisade.runtime.daemon.ClusterDevices;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.daemon.DeviceProbe;
import palisade.runtime.store.Admin;
import palisade.runtime.store.DeviceEdits;
import palisade.runtime.store.NodeEdits;
import palisade.runtime.store.Operations;

/**
 * The API's changes to the cluster's members and fence devices: `palisade node add|remove|set` and `palisade fence
 * device add|set|remove|list|test` through the same code ({@link NodeEdits}, {@link DeviceEdits}, {@link
 * DeviceProbe}), a field named as the JSON body spells it. A device names its secret's file on the hosts; a body
 * never carries a secret (an option holding one is refused) and no answer returns one.
 */
final class ApiConfigWrites {
  static final Set<String> NODE_FIELDS = Set.of("watchdog", "fence_levels", "spm_priority", "shutdown_policy", "site",
      "agent_only");
  static final Set<String> DEVICE_FIELDS = Set.of("type", "address", "port", "user", "agent", "options", "timeout",
      "secret_file_name");

  private final Supplier<Admin> admin;
  private final ApiWrites writes;
  private final DaemonConfig config;

  ApiConfigWrites(Supplier<Admin> admin, ApiWrites writes, DaemonConfig config) {
    this.admin = admin;
    this.writes = writes;
    this.config = config;
  }

  void register(Routes r) {
    r.post("/api/nodes", ctx -> {
      JsonNode b = ApiWrites.body(ctx, with(NODE_FIELDS, "name"));
      writes.done(ctx, 201, nodes().add(ApiWrites.text(b, "name", true), settings(b)));
    });
    r.patch("/api/nodes/{name}", ctx -> writes.done(ctx, 200, nodes().set(ctx.pathParam("name"),
        settings(ApiWrites.body(ctx, NODE_FIELDS)))));
    r.delete("/api/nodes/{name}", ctx -> {
      ApiWrites.body(ctx, Set.of());
      writes.done(ctx, 200, nodes().remove(ctx.pathParam("name")));
    });
    r.get("/api/fence/devices", ctx -> WebServer.json(ctx, 200, devices(cluster())));
    r.post("/api/fence/devices", ctx -> {
      JsonNode b = ApiWrites.body(ctx, with(DEVICE_FIELDS, "name"));
      writes.done(ctx, 201, devices().add(ApiWrites.text(b, "name", true), definition(b)));
    });
    r.put("/api/fence/devices/{name}", ctx -> writes.done(ctx, 200, devices().set(ctx.pathParam("name"),
        definition(ApiWrites.body(ctx, DEVICE_FIELDS)))));
    r.delete("/api/fence/devices/{name}", ctx -> {
      ApiWrites.body(ctx, Set.of());
      writes.done(ctx, 200, devices().remove(ctx.pathParam("name")));
    });
    r.post("/api/fence/devices/{name}/test", this::test);
  }

  private NodeEdits nodes() {
    return new NodeEdits(admin, Operations.JSON_NAMES);
  }

  private DeviceEdits devices() {
    return new DeviceEdits(admin, Operations.JSON_NAMES);
  }

  private static Set<String> with(Set<String> fields, String more) {
    TreeSet<String> out = new TreeSet<>(fields);
    out.add(more);
    return out;
  }

  private ClusterConfig cluster() throws Exception {
    ClusterConfig cfg = admin.get().value(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null) {
      throw new Operations.Refused(Operations.Problem.NO_CONFIG, "the cluster has no configuration yet");
    }
    return cfg;
  }

  /** `fence device test DEV` from this node: its YAML's device of that name, else the cluster's with its secret. */
  private void test(Context ctx) throws Exception {
    ApiWrites.body(ctx, Set.of());
    String device = ctx.pathParam("name");
    DaemonConfig.FenceDeviceConf conf = config.fenceDevices().get(device);
    FenceDeviceDef def = conf != null ? null : cluster().fence().devices().get(device);
    if (conf == null && def == null) {
      throw new Operations.Refused(Operations.Problem.NOT_FOUND, "no fence device '" + Api.shorten(device)
          + "' in " + config.node() + "'s configuration nor in the cluster's");
    }
    DeviceProbe.Result r;
    try {
      r = DeviceProbe.probe(conf != null ? conf : ClusterDevices.conf(device, def,
          ClusterDevices.secretsDir(config)));
    } catch (ConfigException e) { // this host cannot build it (say, its secret file is unreadable): a failed test
      r = new DeviceProbe.Result(false, null, 0, e.getMessage());
    }
    writes.audit(ctx, "fence device test from " + config.node() + ": " + r.line(device));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("device", device);
    m.put("node", config.node());
    m.put("ok", r.ok());
    m.put("power", r.power());
    m.put("duration_ms", r.ms());
    m.put("error", r.error());
    WebServer.json(ctx, 200, m);
  }

  /** {"devices": [{name, type, timeout, secret_file_name, used_by, options}]}: never a secret. */
  static Map<String, Object> devices(ClusterConfig cfg) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (DeviceEdits.Listed l : DeviceEdits.list(cfg)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", l.name());
      m.put("type", l.def().type());
      m.put("timeout", Durations.format(l.def().timeoutMs()));
      m.put("secret_file_name", l.def().secret());
      m.put("used_by", l.usedBy());
      m.put("options", l.def().options());
      out.add(m);
    }
    return Map.of("devices", out);
  }

  private static NodeEdits.Settings settings(JsonNode b) {
    return new NodeEdits.Settings(bool(b, "watchdog"), levels(b), ApiWrites.integer(b, "spm_priority"),
        ApiWrites.text(b, "shutdown_policy", false), ApiWrites.text(b, "site", false), bool(b, "agent_only"));
  }

  /** A true/false field, or null when absent. */
  private static Boolean bool(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v != null && !v.isNull() && !v.isBoolean()) throw new Api.BadRequest(field + ": must be true or false");
    return v == null || v.isNull() ? null : v.booleanValue();
  }

  /** fence_levels: [["bmc1", "pdu1"], ["bmc2"]], in order; [] for none. */
  private static List<List<String>> levels(JsonNode b) {
    JsonNode v = b.get("fence_levels");
    if (v == null || v.isNull()) return null;
    String shape = "fence_levels: must be an array of levels, each an array of device names ([[\"bmc1\"]]; [] for "
        + "none)";
    if (!v.isArray()) throw new Api.BadRequest(shape);
    List<List<String>> out = new ArrayList<>();
    for (JsonNode level : v) {
      if (!level.isArray()) throw new Api.BadRequest(shape);
      List<String> devs = new ArrayList<>();
      for (JsonNode d : level) {
        if (!d.isTextual()) throw new Api.BadRequest(shape);
        devs.add(d.textValue());
      }
      out.add(devs);
    }
    return out;
  }

  private static DeviceEdits.Definition definition(JsonNode b) {
    JsonNode port = b.get("port");
    String p = port != null && port.isIntegralNumber() ? port.asText() : ApiWrites.text(b, "port", false);
    return new DeviceEdits.Definition(ApiWrites.text(b, "type", false), ApiWrites.text(b, "address", false), p,
        ApiWrites.text(b, "user", false), ApiWrites.text(b, "agent", false), ApiWrites.options(b),
        ApiWrites.text(b, "timeout", false), ApiWrites.text(b, "secret_file_name", false));
  }
}
