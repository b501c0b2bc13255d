package palisade.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import palisade.io.TextFile;

/** The local cluster's mock BMCs: one Redfish process per node whose power switch powers that node off and on. */
final class LabBmcs {
  private final LocalCluster c;
  private final Path dir;

  LabBmcs(LocalCluster c) {
    this.c = c;
    this.dir = c.dir();
  }

  /** Starts one mock BMC process per node that has a port (before the nodes); waits until each listens. */
  void start() throws IOException {
    Map<String, Process> started = new TreeMap<>();
    for (String n : c.nodeNames()) {
      if (c.bmcPort(n) < 0) continue;
      Path log = dir.resolve(n).resolve("bmc.log");
      Files.deleteIfExists(log);
      Process p = c.processes().launch(List.of("palisade.Main", "lab", "bmc", "--dir", dir.toString(), "--node",
          n), "64m", log);
      started.put(n, p);
      c.updateState(s -> s.setProperty(n + ".bmc.pid", Long.toString(p.pid())));
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * LocalCluster.PROCESS_WAIT_MS);
    for (Map.Entry<String, Process> e : started.entrySet()) {
      Path log = dir.resolve(e.getKey()).resolve("bmc.log");
      while (!(Files.exists(log) && Files.readString(log).contains("listening on"))) {
        if (!e.getValue().isAlive() || System.nanoTime() > deadline) {
          throw new IOException(e.getKey() + ": the mock BMC did not start (see " + log + ")");
        }
        LabProcesses.sleep(50);
      }
    }
  }

  void stop() throws IOException {
    for (String n : c.nodeNames()) {
      String pid = c.stateValue(n + ".bmc.pid", null);
      if (pid == null) continue;
      ProcessHandle.of(Long.parseLong(pid)).filter(h -> c.processes().commandMentions(h, "bmc")).ifPresent(h -> {
        h.destroyForcibly();
        LabProcesses.awaitExit(h);
      });
      c.updateState(s -> s.remove(n + ".bmc.pid"));
    }
  }

  /** The mock BMC process's main: Redfish over HTTPS whose power switch powers this node off and on. */
  static void serve(Path dir, String node) throws Exception {
    LocalCluster c = LocalCluster.open(dir);
    c.layout().requireNode(node);
    int port = c.bmcPort(node);
    if (port < 0) throw new IllegalStateException("no mock BMC port for " + node + " in " + dir);
    String password;
    try {
      password = TextFile.read(c.bmcPasswordFile(node)).strip();
    } catch (TextFile.Unreadable e) {
      throw new IllegalStateException(e.getMessage());
    }
    RedfishMockBmc bmc = new RedfishMockBmc(port, LocalCluster.BMC_USER, password, new NodePower(dir, node));
    bmc.start();
    System.out.println("listening on 127.0.0.1:" + bmc.port() + " (mock BMC of " + node + ")");
    System.out.flush();
    Thread.currentThread().join();
  }

  /** A node's power as its mock BMC sees it: the cluster state, read afresh at every request. */
  private static final class NodePower implements PowerSwitch {
    private final Path dir;
    private final String node;

    NodePower(Path dir, String node) {
      this.dir = dir;
      this.node = node;
    }

    @Override
    public synchronized boolean isOn() {
      try {
        return LocalCluster.open(dir).powered(node);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public synchronized void setOn(boolean on) {
      try {
        LocalCluster now = LocalCluster.open(dir);
        System.out.println(java.time.Instant.now() + " " + node + ": power " + (on ? "on" : "off") + " requested");
        if (on && !now.powered(node)) {
          now.powerOn(node);
        } else if (!on) {
          now.powerOff(node);
        }
        System.out.println(java.time.Instant.now() + " " + node + ": power is " + (now.powered(node) ? "on" : "off"));
        System.out.flush();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
