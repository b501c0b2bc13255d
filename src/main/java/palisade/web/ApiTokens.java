package palisade.web;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import palisade.core.ConfigException;
import palisade.io.TextFile;

/**
 * The API's bearer tokens ({@code http.api_tokens_file}): one line per token, {@code NAME ROLE SHA256-HEX}, where
 * ROLE is {@code viewer} (reads) or {@code admin} (reads and, later, writes) and the hash is the SHA-256 of the token
 * (e.g. {@code printf %s "$TOKEN" | sha256sum}); {@code #} starts a comment. The file holds no token, only hashes;
 * a request's token is hashed and compared with every line in constant time.
 */
final class ApiTokens {
  enum Role {
    VIEWER, ADMIN
  }

  record Holder(String name, Role role) {}

  private record Entry(Holder holder, byte[] hash) {}

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private final List<Entry> entries;

  private ApiTokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  static ApiTokens none() {
    return new ApiTokens(List.of());
  }

  /** Reads the file; a bad line is a ConfigException naming http.api_tokens_file, the file and the line. */
  static ApiTokens load(Path file) {
    String text;
    try {
      text = TextFile.read(file);
    } catch (TextFile.Unreadable e) {
      throw new ConfigException("http.api_tokens_file: " + e.getMessage());
    }
    List<Entry> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      String where = "http.api_tokens_file: " + file + ":" + (i + 1) + ": ";
      String[] f = line.split("\\s+");
      if (f.length != 3) throw new ConfigException(where + "expected NAME ROLE SHA256-HEX, got " + f.length
          + " fields");
      if (!NAME.matcher(f[0]).matches()) throw new ConfigException(where + "'" + f[0] + "' is not a token name");
      Role role;
      try {
        role = Role.valueOf(f[1].toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(where + "'" + f[1] + "' is not a role (viewer, admin)");
      }
      if (!HEX.matcher(f[2]).matches()) {
        throw new ConfigException(where + "the third field must be the token's SHA-256 in hex (64 digits)");
      }
      out.add(new Entry(new Holder(f[0], role), HexFormat.of().parseHex(f[2].toLowerCase(Locale.ROOT))));
    }
    return new ApiTokens(out);
  }

  static String sha256Hex(String token) {
    return HexFormat.of().formatHex(sha256(token));
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The holder of a presented token, if any line matches. */
  Optional<Holder> check(String token) {
    byte[] h = sha256(token);
    Holder found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(h, e.hash())) found = e.holder(); // no early exit: same work for every token
    }
    return Optional.ofNullable(found);
  }
}
