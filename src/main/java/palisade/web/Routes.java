package palisade.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.sse.SseClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Registers the server's endpoints and remembers them as "METHOD /path" ({@code /api/resources/{id}}), so a test can
 * hold them against the OpenAPI document: every endpoint goes through here.
 */
final class Routes {
  private final RoutesConfig routes;
  private final List<String> registered = new ArrayList<>();

  Routes(RoutesConfig routes) {
    this.routes = routes;
  }

  void get(String path, Handler h) {
    registered.add("GET " + path);
    routes.get(path, h);
  }

  void post(String path, Handler h) {
    registered.add("POST " + path);
    routes.post(path, h);
  }

  void patch(String path, Handler h) {
    registered.add("PATCH " + path);
    routes.patch(path, h);
  }

  void put(String path, Handler h) {
    registered.add("PUT " + path);
    routes.put(path, h);
  }

  void delete(String path, Handler h) {
    registered.add("DELETE " + path);
    routes.delete(path, h);
  }

  void sse(String path, Consumer<SseClient> c) {
    registered.add("GET " + path);
    routes.sse(path, c);
  }

  List<String> registered() {
    return List.copyOf(registered);
  }
}
