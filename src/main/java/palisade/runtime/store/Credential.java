package palisade.runtime.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import palisade.io.TextFile;

/**
 * One identity on the store, as a directory made by {@link Credentials}: {@value #IDENTITY} (private key and
 * certificate, 0600), {@value #SERVER_CA} (the members' authority: whom a client trusts as a server) and, for a node,
 * {@value #CLIENT_CA} (both authorities: whom its peer accepts as a client) and its revocation list. The name (CN) and
 * the role (OU) come from the certificate, which the cluster's authority signed.
 */
public final class Credential {
  /** What a certificate lets its holder do (ZooKeeper ids palisade:member, palisade:admin, palisade:viewer). */
  public enum Role {
    /** A cluster node: reads and writes everything, and may join the quorum. */
    MEMBER,
    /** An operator who may change anything. */
    ADMIN,
    /** An operator who may only read. */
    VIEWER;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s, String where) {
      for (Role r : values()) {
        if (r.id().equals(s)) return r;
      }
      throw new IllegalArgumentException(where + ": '" + s + "' is not a role (member, admin, viewer)");
    }
  }

  public static final String IDENTITY = "identity.pem";
  public static final String SERVER_CA = "ca.pem";
  public static final String CLIENT_CA = "clients-ca.pem";
  private static final Pattern CERT = Pattern.compile(
      "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+)-----END CERTIFICATE-----");

  private final Path dir;
  private final String name;
  private final Role role;
  private final String serial;
  private final Instant notAfter;

  private Credential(Path dir, String name, Role role, String serial, Instant notAfter) {
    this.dir = dir;
    this.name = name;
    this.role = role;
    this.serial = serial;
    this.notAfter = notAfter;
  }

  /**
   * Loads and checks the credential in dir: readable, private (no group or other access to the key), signed for a
   * known role. Errors name the file and the fix.
   */
  public static Credential load(Path dir) {
    Path id = dir.resolve(IDENTITY);
    try {
      if (!Files.isDirectory(dir)) {
        // Neither there nor surely absent: a directory above it is closed to us.
        if (!Files.notExists(dir)) throw new AccessDeniedException(dir.toString());
        throw new IllegalArgumentException(dir + ": not a credential directory (make one with palisade credentials)");
      }
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(id);
      for (PosixFilePermission p : perms) {
        if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
          throw new IllegalArgumentException(id + ": holds a private key but others may access it (chmod 600 " + id
              + ")");
        }
      }
      X509Certificate cert = readCertificates(id).get(0);
      if (!Files.isReadable(dir.resolve(SERVER_CA))) throw new NoSuchFileException(dir.resolve(SERVER_CA).toString());
      String cn = null;
      String ou = null;
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName(X500Principal.RFC2253)).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) cn = rdn.getValue().toString();
        if (rdn.getType().equalsIgnoreCase("OU")) ou = rdn.getValue().toString();
      }
      if (cn == null || ou == null) throw new IllegalArgumentException(id + ": the certificate names no CN or OU");
      Role role = Role.parse(ou, id + ": OU");
      if (role == Role.MEMBER && !Files.isReadable(dir.resolve(CLIENT_CA))) {
        throw new NoSuchFileException(dir.resolve(CLIENT_CA).toString());
      }
      return new Credential(dir.toAbsolutePath(), cn, role, cert.getSerialNumber().toString(16),
          cert.getNotAfter().toInstant());
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException(e.getFile() + ": permission denied (a credential is readable by its owner "
          + "only)");
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(e.getFile() + ": missing (make a credential with palisade credentials)");
    } catch (IOException | InvalidNameException e) {
      throw new IllegalArgumentException(id + ": cannot read the credential: " + e.getMessage());
    }
  }

  public Path dir() {
    return dir;
  }

  public String name() {
    return name;
  }

  public Role role() {
    return role;
  }

  /** The certificate's serial number, lower-case hex (what a revocation list holds). */
  public String serial() {
    return serial;
  }

  public Instant notAfter() {
    return notAfter;
  }

  /** How events name the holder, e.g. "alice (admin)". */
  public String who() {
    return name + " (" + role.id() + ")";
  }

  public Path identityFile() {
    return dir.resolve(IDENTITY);
  }

  /** The certificate's subject alternative names (DNS names and IP addresses), as written; empty when none. */
  public List<String> alternativeNames() {
    try {
      java.util.Collection<List<?>> alt = certificate().getSubjectAlternativeNames();
      return alt == null ? List.of() : alt.stream().map(n -> String.valueOf(n.get(1))).toList();
    } catch (java.security.cert.CertificateParsingException e) {
      return List.of();
    }
  }

  /** The credential's own certificate (the first in its identity file). */
  public X509Certificate certificate() {
    try {
      return readCertificates(identityFile()).get(0);
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new IllegalStateException(identityFile() + ": cannot read the certificate: " + e.getMessage(), e);
    }
  }

  public Path serverCaFile() {
    return dir.resolve(SERVER_CA);
  }

  public Path clientCaFile() {
    return dir.resolve(CLIENT_CA);
  }

  /**
   * A ZooKeeper client configuration for this credential: TLS over Netty, our certificate, servers checked against
   * the members' authority. Per client, not JVM-global: a process may hold several.
   */
  public ZKClientConfig clientConfig() {
    ZKClientConfig c = new ZKClientConfig();
    c.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
    c.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
    c.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
    try (ClientX509Util u = new ClientX509Util()) {
      c.setProperty(u.getSslKeystoreLocationProperty(), identityFile().toString());
      c.setProperty(u.getSslKeystoreTypeProperty(), "PEM");
      c.setProperty(u.getSslTruststoreLocationProperty(), serverCaFile().toString());
      c.setProperty(u.getSslTruststoreTypeProperty(), "PEM");
      // Identity is the authority's signature and the role in the certificate, not an address: the lab dials its
      // peers through proxies, and a node's address may change without a new certificate.
      c.setProperty(u.getSslHostnameVerificationEnabledProperty(), "false");
      c.setProperty(u.getSslProviderProperty(), tlsProvider());
    }
    return c;
  }

  /**
   * BoringSSL (netty-tcnative, which ZooKeeper ships) when it loads here, else the JDK's TLS. A short command runs
   * with the quick JIT alone, where the JDK's AES-GCM has no intrinsics: reading 50,000 resources spent 40 % of its
   * CPU in TLS. Both ends negotiate the same TLS 1.3 suites either way.
   */
  static String tlsProvider() {
    return io.netty.handler.ssl.OpenSsl.isAvailable() ? "OPENSSL" : "JDK";
  }

  /**
   * The TLS part of an embedded peer's configuration (a node credential): a secure client port only, TLS between
   * peers trusting the members' authority only, clients trusted from both authorities and mapped to their role by
   * {@link PalisadeAuthProvider}.
   */
  public Properties serverProperties() {
    if (role != Role.MEMBER) throw new IllegalStateException(who() + ": only a node credential can run a peer");
    Properties p = new Properties();
    p.setProperty("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory");
    p.setProperty("sslQuorum", "true");
    p.setProperty("portUnification", "false");
    p.setProperty("ssl.keyStore.location", identityFile().toString());
    p.setProperty("ssl.keyStore.type", "PEM");
    p.setProperty("ssl.trustStore.location", clientCaFile().toString());
    p.setProperty("ssl.trustStore.type", "PEM");
    p.setProperty("ssl.hostnameVerification", "false");
    p.setProperty("ssl.clientAuth", "need");
    p.setProperty("ssl.sslProvider", tlsProvider());
    p.setProperty("ssl.quorum.keyStore.location", identityFile().toString());
    p.setProperty("ssl.quorum.keyStore.type", "PEM");
    p.setProperty("ssl.quorum.trustStore.location", serverCaFile().toString());
    p.setProperty("ssl.quorum.trustStore.type", "PEM");
    p.setProperty("ssl.quorum.hostnameVerification", "false");
    p.setProperty("ssl.quorum.clientAuth", "need");
    p.setProperty("ssl.authProvider", PalisadeAuthProvider.SCHEME);
    p.setProperty("authProvider." + PalisadeAuthProvider.SCHEME, PalisadeAuthProvider.class.getName());
    p.setProperty(PalisadeAuthProvider.REVOKED_KEY, dir.resolve(Credentials.REVOKED).toString());
    return p;
  }

  /** A TLS context presenting this credential and trusting the members' authority (four-letter words, tests). */
  public SSLContext sslContext() {
    try {
      List<X509Certificate> chain = readCertificates(identityFile());
      PrivateKey key = readKey(identityFile());
      char[] none = new char[0];
      // In memory only: PKCS12 would encrypt the key with 10,000 rounds of PBKDF2 (a tenth of a second of a short
      // command's CPU) to protect it from nobody; JKS's key protection is a cheap transform.
      KeyStore ks = KeyStore.getInstance("JKS");
      ks.load(null, null);
      ks.setKeyEntry("identity", key, none, chain.toArray(new X509Certificate[0]));
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      int i = 0;
      for (X509Certificate ca : readCertificates(serverCaFile())) ts.setCertificateEntry("ca" + i++, ca);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, none);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(dir + ": cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * A PKCS#8 EC key from a PEM file, with the JDK alone. Here, not in {@link Credentials}: that class refers to
   * BouncyCastle, whose signed jar the JVM verifies on first use (a third of a second of a short command's CPU).
   */
  static PrivateKey readKey(Path file) throws IOException {
    String text = TextFile.readOrThrow(file);
    int a = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int b = text.indexOf("-----END PRIVATE KEY-----");
    if (a < 0 || b < a) throw new IOException(file + ": no PKCS#8 private key");
    byte[] der = Base64.getMimeDecoder().decode(text.substring(a + 27, b));
    try {
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": not an EC private key: " + e.getMessage(), e);
    }
  }

  /** Every certificate in a PEM file, in order (private key blocks are skipped). */
  static List<X509Certificate> readCertificates(Path file) throws IOException {
    String text = TextFile.readOrThrow(file);
    List<X509Certificate> out = new ArrayList<>();
    Matcher m = CERT.matcher(text);
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      while (m.find()) {
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
      }
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": not a certificate: " + e.getMessage(), e);
    }
    if (out.isEmpty()) throw new IOException(file + ": holds no certificate");
    return out;
  }
}
