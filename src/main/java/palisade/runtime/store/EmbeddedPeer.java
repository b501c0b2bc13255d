package palisade.runtime.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import java.util.function.IntConsumer;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.apache.zookeeper.util.ServiceUtils;

/**
 * A ZooKeeper quorum peer inside the daemon (ZooKeeperServerEmbedded). Each node's configuration names the other
 * peers by the addresses it should dial — in the local cluster those are fault-proxy links — while its own entry is
 * the address it binds.
 *
 * <p>Authenticated only: the peer listens on a TLS client port (no plain one) that wants a certificate of the
 * cluster's authorities, and speaks TLS to the other peers, trusting node certificates only (see
 * {@link Credential#serverProperties()}). Its directories are 0700. A fatal error inside ZooKeeper (which would
 * call System.exit in a stand-alone server) reaches the owner's {@code onFatal} instead of vanishing in a log line.
 */
public final class EmbeddedPeer implements AutoCloseable {
  /** One quorum member as this node dials it. */
  public record Member(int id, String host, int clientPort, int peerPort, int electionPort) {}

  /** ZooKeeper's tick: election and follower timeouts are multiples of it. */
  public static final int TICK_MS = 500;
  static final int INIT_LIMIT_TICKS = 20;
  static final int SYNC_LIMIT_TICKS = 4;
  /** How long a peer waits for a TCP connection to another peer's election port (peers sit on one LAN). */
  static final int ELECTION_CONNECT_TIMEOUT_MS = 1_000;
  static final int MAX_NOTIFICATION_INTERVAL_MS = 2_000;

  private final ZooKeeperServerEmbedded server;

  private EmbeddedPeer(ZooKeeperServerEmbedded server) {
    this.server = server;
  }

  /** How long a peer may take to open its ports before start gives up. */
  static final long START_TIMEOUT_MS = 60_000;

  /**
   * Starts the peer with id {@code myId} among {@code members} (one member: standalone), authenticated with the
   * node's credential; {@code onFatal} gets the exit code of a fatal ZooKeeper error (on a ZooKeeper thread).
   */
  public static EmbeddedPeer start(Path dir, int myId, List<Member> members, Credential credential,
      IntConsumer onFatal) throws Exception {
    return start(dir, myId, members, credential, onFatal, false);
  }

  /**
   * As {@link #start(Path, int, List, Credential, IntConsumer)}; with {@code reconfig} (and more than one member)
   * ZooKeeper's dynamic reconfiguration is on: the membership lives in a dynamic configuration file
   * ({@link PeerMembership}) that starts as {@code members} and follows every reconfiguration, and only an admin
   * credential may reconfigure. A peer whose id is in {@code members} but not in the ensemble's current membership
   * starts as a non-voting follower that becomes a voter when an admin adds it ({@code palisade store peer add}).
   */
  public static EmbeddedPeer start(Path dir, int myId, List<Member> members, Credential credential,
      IntConsumer onFatal, boolean reconfig) throws Exception {
    return start(dir, myId, members, credential, onFatal, reconfig, MAX_CLIENT_CONNECTIONS);
  }

  /** ZooKeeper's own default: connections to one peer from one address (a daemon opens three; 0: no limit). */
  static final int MAX_CLIENT_CONNECTIONS = 60;

  /** As above, with at most maxPerAddress connections from one address (the store bench: every agent on one). */
  public static EmbeddedPeer start(Path dir, int myId, List<Member> members, Credential credential,
      IntConsumer onFatal, boolean reconfig, int maxPerAddress) throws Exception {
    privateDir(dir);
    Path data = privateDir(dir.resolve("data"));
    Member me = members.stream().filter(m -> m.id() == myId).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("peer " + myId + " is not among the members"));
    Properties p = new Properties();
    p.setProperty("tickTime", Integer.toString(TICK_MS));
    p.setProperty("maxClientCnxns", Integer.toString(maxPerAddress));
    p.setProperty("initLimit", Integer.toString(INIT_LIMIT_TICKS));
    p.setProperty("syncLimit", Integer.toString(SYNC_LIMIT_TICKS));
    p.setProperty("dataDir", data.toString());
    p.setProperty("secureClientPortAddress", me.host());
    p.setProperty("secureClientPort", Integer.toString(me.clientPort()));
    p.putAll(credential.serverProperties());
    p.setProperty("admin.enableServer", "false");
    p.setProperty("4lw.commands.whitelist", "srvr,ruok,stat");
    boolean dynamic = reconfig && members.size() > 1;
    // Both are process-wide statics inside ZooKeeper: set them at every start, never inherit a previous peer's.
    p.setProperty("reconfigEnabled", Boolean.toString(dynamic));
    p.setProperty("standaloneEnabled", Boolean.toString(!dynamic));
    // Read by PalisadeAuthProvider: an admin credential is the store's superuser, which reconfiguration needs (the
    // store keeps /zookeeper/config read-only for everyone else: members, viewers, anonymous clients).
    p.setProperty(PalisadeAuthProvider.ADMIN_RECONFIG_KEY, Boolean.toString(dynamic));
    p.setProperty("maxSessionTimeout", Integer.toString(40 * TICK_MS));
    p.setProperty("minSessionTimeout", Integer.toString(2 * TICK_MS));
    p.setProperty("autopurge.purgeInterval", "1");
    p.setProperty("autopurge.snapRetainCount", "3");
    if (dynamic) {
      Files.writeString(data.resolve("myid"), Integer.toString(myId), StandardCharsets.US_ASCII);
      p.setProperty("dynamicConfigFile", PeerMembership.current(dir, members).toString());
    } else if (members.size() > 1) {
      Files.writeString(data.resolve("myid"), Integer.toString(myId), StandardCharsets.US_ASCII);
      for (Member m : members) {
        p.setProperty("server." + m.id(), m.host() + ":" + m.peerPort() + ":" + m.electionPort());
      }
    }
    // ZooKeeper reads this only as a system property. Its 5 s default is how long an election notification waits on a
    // silent (partitioned) peer before the next one is sent, which made a leader election take 5.5 s, close to W.
    System.setProperty("zookeeper.cnxTimeout", Integer.toString(ELECTION_CONNECT_TIMEOUT_MS));
    // Closing a TLS socket to a silent (partitioned) leader blocks until the read timeout (syncLimit ticks): the
    // follower then starts its election 2 s late, and every node's lease renewals stall past W. Close it aside.
    System.setProperty("zookeeper.learner.closeSocketAsync", "true");
    System.setProperty("zookeeper.leader.closeSocketAsync", "true");
    // A peer that finds nobody (the first one up) doubles the wait between its election notifications, up to 60 s by
    // default: it then joined the quorum the others formed 10 s late, past L, and the manager fenced its node as never
    // seen. Two seconds at most.
    System.setProperty("zookeeper.fastleader.maxNotificationInterval", Integer.toString(MAX_NOTIFICATION_INTERVAL_MS));
    ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
        .baseDir(dir)
        .configuration(p)
        .exitHandler(ExitHandler.LOG_ONLY)
        .build();
    server.start(START_TIMEOUT_MS);
    // start() installed LOG_ONLY (EXIT would end the JVM without our last words): from here on a fatal error inside
    // ZooKeeper goes to the owner, who stops the node with a clear message.
    ServiceUtils.setSystemExitProcedure(code -> onFatal.accept(code));
    return new EmbeddedPeer(server);
  }

  /**
   * Asks a ZooKeeper server (four-letter word `srvr`, over TLS with the credential) for its mode: leader, follower,
   * standalone; null if no answer.
   */
  public static String mode(String host, int clientPort, Credential credential) {
    String text = fourLetterWord(host, clientPort, credential, "srvr", 500, 1000);
    if (text == null) return null;
    for (String line : text.split("\n")) {
      if (line.startsWith("Mode: ")) return line.substring(6).trim();
    }
    return null;
  }

  /** A four-letter word's whole answer over TLS with the credential, or null if the server did not answer. */
  public static String fourLetterWord(String host, int clientPort, Credential credential, String word,
      int connectMs, int readMs) {
    try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) credential.sslContext().getSocketFactory()
        .createSocket()) {
      s.connect(new java.net.InetSocketAddress(host, clientPort), connectMs);
      s.setSoTimeout(readMs);
      s.startHandshake();
      s.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The membership a peer in {@code dir} would start with, for the log: "5 servers (membership version 1000000b0)"
   * from its newest dynamic configuration file, or "the configured peers" when it has none yet.
   */
  public static String membershipOnDisk(Path dir) throws IOException {
    java.util.Optional<Path> f = PeerMembership.newest(dir);
    if (f.isEmpty()) return "the configured peers";
    return PeerMembership.servers(f.get()).size() + " servers (membership version "
        + Long.toHexString(PeerMembership.version(f.get())) + ")";
  }

  /** A directory only its owner may enter; ZooKeeper's files inside it (snapshots, logs) hold resource commands. */
  public static Path privateDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    return dir;
  }

  @Override
  public void close() {
    server.close();
  }
}
