package palisade.lab;

import static palisade.lab.LabFiles.quote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import palisade.runtime.store.Credentials;

/**
 * The lab's witness (two nodes and a witness): {@code palisade witness --config DIR/witness/witness.yaml}, a store
 * peer and nothing else at 127.0.1.3, dialling the nodes' peers through its fault-proxy links. Started and stopped
 * by the PID in the state file ({@code witness.pid}), like every lab process.
 */
final class LabWitness {
  private final LocalCluster c;
  private final Layout layout;

  LabWitness(LocalCluster c) {
    this.c = c;
    this.layout = c.layout();
  }

  Path dir() {
    return c.dir().resolve(Layout.WITNESS);
  }

  /** The node YAML's store entry naming the witness as node i dials it (i = the witness: the address it binds). */
  static String storeEntry(Layout layout, int i) {
    int w = layout.peers();
    return "  witness:\n    name: " + Layout.WITNESS + "\n    address: " + layout.dialAddress(i, w) + "\n"
        + "    client_port: " + layout.clientPort() + "\n    peer_port: " + layout.peerPort() + "\n"
        + "    election_port: " + layout.electionPort() + "\n";
  }

  /** Its directory (0700) and YAML: the nodes as the witness dials them, its own credential. */
  void write() throws IOException {
    Path d = Files.createDirectories(dir());
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
    int w = layout.peers();
    StringBuilder sb = new StringBuilder("# the witness of the local cluster: a store peer and nothing else\n");
    sb.append("cluster: ").append(LocalCluster.CLUSTER).append('\n');
    sb.append("node: ").append(Layout.WITNESS).append('\n');
    sb.append("data_dir: data\n");
    sb.append("store:\n  credential: ")
        .append(quote(Credentials.nodeDir(c.credentialsDir(), Layout.WITNESS).toString())).append('\n');
    sb.append(storeEntry(layout, w));
    sb.append("nodes:\n");
    for (int j = 1; j <= layout.nodes(); j++) {
      sb.append("  - name: ").append(Layout.name(j)).append('\n')
          .append("    address: ").append(layout.dialAddress(w, j)).append('\n')
          .append("    client_port: ").append(layout.clientPort()).append('\n')
          .append("    peer_port: ").append(layout.peerPort()).append('\n')
          .append("    election_port: ").append(layout.electionPort()).append('\n');
    }
    Path yaml = d.resolve("witness.yaml");
    Files.deleteIfExists(yaml);
    Files.createFile(yaml, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(yaml, sb.toString());
  }

  long start() throws IOException {
    c.reload();
    if (process().isPresent()) throw new IllegalStateException(Layout.WITNESS + " is already on");
    Process p = c.processes().launch(List.of("palisade.Main", "witness", "--config",
        dir().resolve("witness.yaml").toString()), "128m", dir().resolve("witness.log"));
    c.updateState(st -> st.setProperty(Layout.WITNESS + ".pid", Long.toString(p.pid())));
    return p.pid();
  }

  /** Power loss of the witness machine: SIGKILL. */
  void stop() throws IOException {
    c.reload();
    Optional<ProcessHandle> h = process();
    h.ifPresent(ProcessHandle::destroyForcibly);
    h.ifPresent(LabProcesses::awaitExit);
    c.updateState(st -> st.remove(Layout.WITNESS + ".pid"));
  }

  /** The witness process, if it runs (and is ours). */
  Optional<ProcessHandle> process() {
    String pid = c.stateValue(Layout.WITNESS + ".pid", null);
    if (pid == null) return Optional.empty();
    return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
        .filter(h -> c.processes().commandMentions(h, "witness"));
  }
}
