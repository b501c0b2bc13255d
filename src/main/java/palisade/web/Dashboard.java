package palisade.web;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The dashboard: plain HTML, CSS and JavaScript from the jar ({@code palisade/web/}), nothing from elsewhere (the
 * Content-Security-Policy forbids it). The page holds no data and needs no token; its script asks for one, keeps it
 * in the tab's sessionStorage and reads everything through the authenticated API.
 */
final class Dashboard {
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private Dashboard() {}

  static void register(Routes r) {
    r.get("/", ctx -> serve(ctx, "index.html", "text/html; charset=utf-8"));
    r.get("/dashboard.js", ctx -> serve(ctx, "dashboard.js", "text/javascript; charset=utf-8"));
    r.get("/dashboard.css", ctx -> serve(ctx, "dashboard.css", "text/css; charset=utf-8"));
  }

  private static void serve(Context ctx, String name, String type) {
    ctx.header("Content-Security-Policy", CSP).header("X-Content-Type-Options", "nosniff")
        .header("Cache-Control", "no-cache").contentType(type).result(asset(name));
  }

  /** A file of palisade/web/ in the jar. */
  static String asset(String name) {
    try (InputStream in = Dashboard.class.getResourceAsStream("/palisade/web/" + name)) {
      if (in == null) throw new IllegalStateException("palisade/web/" + name + " is missing from the jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
