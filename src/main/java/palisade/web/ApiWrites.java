package palisade.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import palisade.core.RequestState;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Operations;

/**
 * The API's writes: the CLI's operations ({@link Operations}: the same checks and wording, a field named as the JSON
 * body spells it), written to the store through this daemon's store handle, so every node accepts them. Only admin
 * tokens reach here (the server answers 403 to a viewer first). Each success is also recorded in the cluster's events
 * with the token's name, since the store itself only knows the daemon's credential.
 */
final class ApiWrites {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> ADD_FIELDS = new TreeSet<>(Set.of("id", "node", "type", "options", "state", "group",
      "priority", "max_restart", "max_relocate", "disks"));
  static final Set<String> SET_FIELDS = new TreeSet<>(Set.of("state", "group", "priority", "max_restart",
      "max_relocate", "options"));

  private final Supplier<Admin> admin;
  private final String node;

  ApiWrites(Supplier<Admin> admin, String node) {
    this.admin = admin;
    this.node = node;
  }

  /** Registers the write endpoints. */
  void register(Routes r) {
    r.post("/api/resources", ctx -> {
      Operations.NewResource n = newResource(body(ctx, ADD_FIELDS));
      done(ctx, 201, ops(ctx).add(n));
    });
    r.patch("/api/resources/{id}", ctx -> {
      Operations.Change c = change(body(ctx, SET_FIELDS));
      done(ctx, 200, ops(ctx).set(ctx.pathParam("id"), c));
    });
    r.delete("/api/resources/{id}", ctx -> done(ctx, 200, ops(ctx).remove(ctx.pathParam("id"))));
    for (RequestState s : new RequestState[] {RequestState.STARTED, RequestState.STOPPED, RequestState.DISABLED}) {
      String verb = s == RequestState.STARTED ? "start" : s == RequestState.STOPPED ? "stop" : "disable";
      r.post("/api/resources/{id}/" + verb, ctx -> {
        body(ctx, Set.of());
        done(ctx, 200, ops(ctx).request(ctx.pathParam("id"), s));
      });
    }
    r.post("/api/resources/{id}/enable", ctx -> {
      body(ctx, Set.of());
      done(ctx, 200, ops(ctx).request(ctx.pathParam("id"), RequestState.STARTED));
    });
    r.post("/api/resources/{id}/cleanup", ctx -> {
      body(ctx, Set.of());
      done(ctx, 202, ops(ctx).cleanup(ctx.pathParam("id")));
    });
    r.post("/api/resources/{id}/migrate", ctx -> move(ctx, true));
    r.post("/api/resources/{id}/relocate", ctx -> move(ctx, false));
    r.post("/api/nodes/{name}/maintenance", ctx -> {
      JsonNode b = body(ctx, Set.of("maintenance"));
      done(ctx, 202, ops(ctx).maintenance(ctx.pathParam("name"), text(b, "maintenance", true)));
    });
    r.post("/api/nodes/{name}/fence-confirm", this::fenceConfirm);
    r.post("/api/nodes/{name}/fence", this::fenceNode);
  }

  private void move(Context ctx, boolean live) throws Exception {
    JsonNode b = body(ctx, Set.of("node"));
    done(ctx, 202, ops(ctx).move(ctx.pathParam("id"), text(b, "node", true), live));
  }

  /** The operator states they checked the node is off: {"checked_off": true}, nothing less. */
  private void fenceConfirm(Context ctx) throws Exception {
    JsonNode b = body(ctx, Set.of("checked_off"));
    JsonNode c = b.get("checked_off");
    if (c == null || !c.isBoolean() || !c.booleanValue()) {
      throw new Api.BadRequest("checked_off: must be true: confirm only after checking that the node is powered "
          + "off (its resources will be started elsewhere)");
    }
    done(ctx, 202, ops(ctx).fenceConfirm(ctx.pathParam("name"), who(ctx)));
  }

  /**
   * `palisade fence node NODE --yes`: {"confirm": true} stands for the CLI's --yes (fencing kills the node's HA
   * resources or cuts its power), nothing less.
   */
  private void fenceNode(Context ctx) throws Exception {
    JsonNode b = body(ctx, Set.of("confirm"));
    JsonNode c = b.get("confirm");
    if (c == null || !c.isBoolean() || !c.booleanValue()) {
      throw new Api.BadRequest("confirm: must be true: fencing " + Api.shorten(ctx.pathParam("name")) + " kills its "
          + "HA resources or cuts its power now");
    }
    done(ctx, 202, ops(ctx).fenceNode(ctx.pathParam("name"), who(ctx)));
  }

  /** `API token NAME (admin) via NODE`: who asked, as a fence confirmation or request records it. */
  private String who(Context ctx) {
    ApiTokens.Holder h = holder(ctx);
    return "API token " + h.name() + " (" + h.role().name().toLowerCase(java.util.Locale.ROOT) + ") via " + node;
  }

  private Operations ops(Context ctx) {
    return new Operations(admin, Operations.JSON_NAMES);
  }

  private static ApiTokens.Holder holder(Context ctx) {
    return ctx.attribute(WebServer.HOLDER);
  }

  /** Answers d as {message, command} and records it as an event naming the token. */
  void done(Context ctx, int status, Operations.Done d) {
    audit(ctx, d.message());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message", d.message());
    if (d.commandSeq() > 0) m.put("command", d.commandSeq());
    WebServer.json(ctx, status, m);
  }

  /** An event: `API token NAME via NODE: what`. */
  void audit(Context ctx, String what) {
    admin.get().audit("API token " + holder(ctx).name() + " via " + node + ": " + what);
  }

  // ---- the JSON body: an object with known fields of the right types, else 400 naming the field --------------

  static JsonNode body(Context ctx, Set<String> allowed) {
    String text = ctx.body();
    if (text.isBlank()) return JSON.createObjectNode();
    JsonNode b;
    try {
      b = JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new Api.BadRequest("body: not valid JSON");
    }
    if (b == null || !b.isObject()) throw new Api.BadRequest("body: must be a JSON object");
    for (var it = b.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new Api.BadRequest(Api.shorten(f) + ": unknown field" + (allowed.isEmpty() ? " (this request takes "
            + "no body)" : " (known: " + String.join(", ", new TreeSet<>(allowed)) + ")"));
      }
    }
    return b;
  }

  static String text(JsonNode b, String field, boolean required) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      if (required) throw new Api.BadRequest(field + ": is required");
      return null;
    }
    if (!v.isTextual()) throw new Api.BadRequest(field + ": must be a string");
    return v.textValue();
  }

  static Integer integer(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new Api.BadRequest(field + ": must be an integer");
    return v.intValue();
  }

  static Map<String, String> options(JsonNode b) {
    JsonNode v = b.get("options");
    if (v == null || v.isNull()) return null;
    if (!v.isObject()) throw new Api.BadRequest("options: must be an object of strings (driver options)");
    Map<String, String> out = new TreeMap<>();
    for (var e : v.properties()) {
      if (e.getKey().isEmpty() || !e.getValue().isTextual()) {
        throw new Api.BadRequest("options." + Api.shorten(e.getKey()) + ": must be a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return out;
  }

  private static Operations.NewResource newResource(JsonNode b) {
    Map<String, String> opts = options(b);
    Integer priority = integer(b, "priority");
    Integer maxRestart = integer(b, "max_restart");
    Integer maxRelocate = integer(b, "max_relocate");
    String type = text(b, "type", false);
    return new Operations.NewResource(text(b, "id", true), text(b, "node", true), type == null ? "process" : type,
        opts == null ? Map.of() : opts, text(b, "state", false), text(b, "group", false),
        priority == null ? 0 : priority, maxRestart == null ? 1 : maxRestart, maxRelocate == null ? 1 : maxRelocate,
        disks(b));
  }

  /** `disks`: a list of strings, or absent. */
  private static java.util.List<String> disks(JsonNode b) {
    JsonNode v = b.get("disks");
    if (v == null || v.isNull()) return java.util.List.of();
    if (!v.isArray()) throw new Api.BadRequest("disks: must be a list of strings");
    java.util.List<String> out = new java.util.ArrayList<>();
    for (JsonNode d : v) {
      if (!d.isTextual()) throw new Api.BadRequest("disks: must be a list of strings");
      out.add(d.textValue());
    }
    return out;
  }

  private static Operations.Change change(JsonNode b) {
    return new Operations.Change(text(b, "state", false), text(b, "group", false), integer(b, "priority"),
        integer(b, "max_restart"), integer(b, "max_relocate"), options(b));
  }
}
