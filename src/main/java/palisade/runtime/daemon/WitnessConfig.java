package palisade.runtime.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.io.TextFile;
import palisade.runtime.store.EmbeddedPeer;

/**
 * A witness's configuration ({@code palisade witness --config FILE}): the same YAML as a node's, with {@code node}
 * naming the witness ({@code store.witness.name}) and only the keys a store peer needs: {@code cluster},
 * {@code node}, {@code nodes} (their addresses and ports as the witness dials them), {@code store} (its
 * {@code witness} entry: the address the witness binds; {@code credential}: its own node credential) and
 * {@code data_dir}. A witness runs no agent, manager, watchdog or resource, so the rest is refused rather than
 * ignored: an operator who set {@code watchdog} on a witness expects something that will not happen.
 *
 * @param id its ZooKeeper server id: after every node's
 * @param members the ensemble, every node's peer and then the witness (its own entry: the address it binds)
 */
public record WitnessConfig(String cluster, String name, Path dataDir, Path credential, int id,
    List<EmbeddedPeer.Member> members) {
  private static final Set<String> KEYS = Set.of("cluster", "node", "nodes", "store", "data_dir");

  public WitnessConfig {
    members = List.copyOf(members);
  }

  public static WitnessConfig load(Path file) {
    String text;
    try {
      text = TextFile.read(file);
    } catch (TextFile.Unreadable e) {
      throw new ConfigException(e.getMessage());
    }
    try {
      return parse(text, file.toAbsolutePath().getParent());
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.getMessage());
    }
  }

  static WitnessConfig parse(String yaml, Path base) {
    JsonNode root = ConfigYaml.read(yaml);
    if (root == null || !root.isObject()) throw new ConfigException("expected a mapping at the top level");
    root.fieldNames().forEachRemaining(k -> {
      if (!KEYS.contains(k)) {
        throw new ConfigException(k + ": not used by a witness (it runs a store peer and nothing else; allowed: "
            + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
      }
    });
    String cluster = ConfigYaml.name(ConfigYaml.required(root, "cluster"), "cluster");
    String name = ConfigYaml.name(ConfigYaml.required(root, "node"), "node");
    List<DaemonConfig.Node> nodes = NodesSection.parse(root, null);
    if (!root.path("store").has("witness")) {
      throw new ConfigException("store.witness: required for a witness (its name and the address it binds)");
    }
    StoreSection store = StoreSection.parse(root.path("store"), nodes.size());
    DaemonConfig.Node w = DaemonConfig.witnessOf(store, nodes);
    if (!w.name().equals(name)) {
      throw new ConfigException("node: '" + name + "' is not the witness store.witness.name '" + w.name() + "'");
    }
    Path dataDir = root.has("data_dir") ? base.resolve(ConfigYaml.text(root.get("data_dir"), "data_dir"))
        : base.resolve("data");
    Path credential = store.credential() != null ? base.resolve(store.credential()) : dataDir.resolve("credential");
    List<EmbeddedPeer.Member> members = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      DaemonConfig.Node n = nodes.get(i);
      members.add(new EmbeddedPeer.Member(i + 1, n.address(), n.clientPort(), n.peerPort(), n.electionPort()));
    }
    int id = nodes.size() + 1;
    members.add(new EmbeddedPeer.Member(id, w.address(), w.clientPort(), w.peerPort(), w.electionPort()));
    return new WitnessConfig(cluster, name, dataDir, credential, id, members);
  }
}
