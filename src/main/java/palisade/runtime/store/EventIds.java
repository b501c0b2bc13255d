package palisade.runtime.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Event ids and the /events znodes' data: a znode holds one event (an object, its id the znode's name) or the events
 * a daemon logged within a moment (an array, the i-th event's id the name plus {@code .} and i in four digits), so
 * that ids compare as strings in the store's order: {@code e-0000000123 < e-0000000123.0000 < e-0000000124}.
 */
final class EventIds {
  private EventIds() {}

  /** The znode an id names: {@code e-0000000123} for {@code e-0000000123.0004}. */
  static String znode(String id) {
    int dot = id.indexOf('.');
    return dot < 0 ? id : id.substring(0, dot);
  }

  /** The events of znode name, whose data is data. */
  static List<Admin.Event> decode(String name, JsonNode data) {
    List<Admin.Event> out = new ArrayList<>();
    if (!data.isArray()) {
      out.add(event(name, data));
      return out;
    }
    for (int i = 0; i < data.size(); i++) out.add(event(name + "." + String.format("%04d", i), data.get(i)));
    return out;
  }

  private static Admin.Event event(String id, JsonNode n) {
    return new Admin.Event(id, n.path("t").asLong(), n.path("node").asText(), n.path("source").asText(),
        n.path("message").asText());
  }
}
