package palisade.runtime.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * A ZooKeeper quorum peer inside the daemon (ZooKeeperServerEmbedded). Each node's configuration names the other
 * peers by the addresses it should dial — in the local cluster those are fault-proxy links — while its own entry is
 * the address it binds.
 */
public final class EmbeddedPeer implements AutoCloseable {
  /** One quorum member as this node dials it. */
  public record Member(int id, String host, int clientPort, int peerPort, int electionPort) {}

  /** ZooKeeper's tick: election and follower timeouts are multiples of it. */
  public static final int TICK_MS = 500;
  static final int INIT_LIMIT_TICKS = 20;
  static final int SYNC_LIMIT_TICKS = 4;

  private final ZooKeeperServerEmbedded server;

  private EmbeddedPeer(ZooKeeperServerEmbedded server) {
    this.server = server;
  }

  /** Starts the peer with id {@code myId} among {@code members} (one member: standalone). */
  public static EmbeddedPeer start(Path dir, int myId, List<Member> members) throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Member me = members.stream().filter(m -> m.id() == myId).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("peer " + myId + " is not among the members"));
    Properties p = new Properties();
    p.setProperty("tickTime", Integer.toString(TICK_MS));
    p.setProperty("initLimit", Integer.toString(INIT_LIMIT_TICKS));
    p.setProperty("syncLimit", Integer.toString(SYNC_LIMIT_TICKS));
    p.setProperty("dataDir", data.toString());
    p.setProperty("clientPortAddress", me.host());
    p.setProperty("clientPort", Integer.toString(me.clientPort()));
    p.setProperty("admin.enableServer", "false");
    p.setProperty("4lw.commands.whitelist", "srvr,ruok,stat");
    p.setProperty("reconfigEnabled", "false");
    p.setProperty("maxSessionTimeout", Integer.toString(40 * TICK_MS));
    p.setProperty("minSessionTimeout", Integer.toString(2 * TICK_MS));
    p.setProperty("autopurge.purgeInterval", "1");
    p.setProperty("autopurge.snapRetainCount", "3");
    if (members.size() > 1) {
      Files.writeString(data.resolve("myid"), Integer.toString(myId), StandardCharsets.US_ASCII);
      for (Member m : members) {
        p.setProperty("server." + m.id(), m.host() + ":" + m.peerPort() + ":" + m.electionPort());
      }
    }
    ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
        .baseDir(Files.createDirectories(dir))
        .configuration(p)
        .exitHandler(ExitHandler.LOG_ONLY)
        .build();
    server.start();
    return new EmbeddedPeer(server);
  }

  /** Asks a ZooKeeper server (four-letter word `srvr`) for its mode: leader, follower, standalone; null if no answer. */
  public static String mode(String host, int clientPort) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(host, clientPort), 500);
      s.setSoTimeout(1000);
      s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
      String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      for (String line : text.split("\n")) {
        if (line.startsWith("Mode: ")) return line.substring(6).trim();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
