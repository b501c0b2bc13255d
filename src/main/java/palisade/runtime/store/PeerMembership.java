package palisade.runtime.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dynamic configuration file of a peer with dynamic reconfiguration on: the ensemble's membership, one line per
 * server ({@code server.ID=HOST:PEER_PORT:ELECTION_PORT:participant}), its version in the file name's suffix (hex),
 * as ZooKeeper reads it. Written once from the initial peer list ({@value #INITIAL}); after every reconfiguration
 * ZooKeeper writes the new membership to a file of its own next to it (its configuration file's name plus
 * {@code .dynamic.VERSION}). At each start the newest one wins, so a restarted peer comes back with the CURRENT
 * membership, not the one its YAML started with.
 */
final class PeerMembership {
  /** The file written from the initial peer list (version 0). */
  static final String INITIAL = "peers.cfg.dynamic.0";
  /** Files ZooKeeper reads as dynamic configurations: NAME.dynamic.HEXVERSION. */
  private static final Pattern DYNAMIC = Pattern.compile(".+\\.dynamic\\.([0-9a-f]{1,16})");
  /** ZooKeeperServerEmbedded's per-boot configuration files (each boot writes a new one). */
  private static final Pattern BOOT_CONFIG = Pattern.compile("zookeeper\\.configuration\\d*\\.properties(\\.bak)?");

  private PeerMembership() {}

  /** One server line of the dynamic configuration (no client address: the client port is TLS only, static). */
  static String line(EmbeddedPeer.Member m) {
    return "server." + m.id() + "=" + m.host() + ":" + m.peerPort() + ":" + m.electionPort() + ":participant";
  }

  /**
   * The dynamic configuration file the peer in {@code dir} starts with: the newest ZooKeeper wrote after a
   * reconfiguration, else the initial one written now from {@code members}. Older files and previous boots'
   * configuration files are removed; the one returned is 0600 (its directory is 0700 too).
   */
  static Path current(Path dir, List<EmbeddedPeer.Member> members) throws IOException {
    Optional<Path> newest = newest(dir);
    Path chosen;
    if (newest.isPresent()) {
      chosen = newest.get();
    } else {
      chosen = dir.resolve(INITIAL);
      StringBuilder sb = new StringBuilder();
      for (EmbeddedPeer.Member m : members) sb.append(line(m)).append('\n');
      Files.deleteIfExists(chosen);
      Files.createFile(chosen, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(chosen, sb.toString(), StandardCharsets.US_ASCII);
    }
    Files.setPosixFilePermissions(chosen, PosixFilePermissions.fromString("rw-------"));
    removeStale(dir, chosen);
    return chosen;
  }

  /** The dynamic file of the highest version in dir, if any. */
  static Optional<Path> newest(Path dir) throws IOException {
    Path best = null;
    long bestVersion = -1;
    for (Path f : list(dir)) {
      long v = version(f);
      if (v > bestVersion) {
        best = f;
        bestVersion = v;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The membership version a file name carries, or -1 when it is no dynamic configuration file. */
  static long version(Path f) {
    Matcher m = DYNAMIC.matcher(f.getFileName().toString());
    return m.matches() ? Long.parseUnsignedLong(m.group(1), 16) : -1;
  }

  /** The server lines of a dynamic configuration file, sorted by id as ZooKeeper writes them. */
  static List<String> servers(Path f) throws IOException {
    return Files.readAllLines(f, StandardCharsets.US_ASCII).stream().map(String::strip)
        .filter(l -> l.startsWith("server.")).sorted().toList();
  }

  private static void removeStale(Path dir, Path keep) throws IOException {
    for (Path f : list(dir)) {
      String name = f.getFileName().toString();
      boolean dynamic = version(f) >= 0 || name.endsWith(".dynamic.next");
      if (!f.equals(keep) && (dynamic || BOOT_CONFIG.matcher(name).matches())) Files.deleteIfExists(f);
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
    }
  }
}
