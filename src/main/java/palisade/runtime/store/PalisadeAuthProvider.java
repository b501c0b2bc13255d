package palisade.runtime.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.apache.zookeeper.KeeperException;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.apache.zookeeper.common.X509Exception;
import org.apache.zookeeper.common.X509Util;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.ServerCnxn;
import org.apache.zookeeper.server.auth.X509AuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import palisade.io.TextFile;

/**
 * The server side of store authentication (loaded by ZooKeeper by class name, so it also runs in an external
 * ensemble that has this class on its class path). After the TLS handshake it maps the client's certificate to one
 * id of scheme {@value #SCHEME}: {@code ROLE/NAME}, e.g. {@code admin/alice}. ACLs name roles only
 * ({@code palisade:member}, {@code palisade:admin}, {@code palisade:viewer}) and an id matches the ACL of its role, so
 * a new operator needs no ACL change. The role must come from the right authority: {@code member} from the members'
 * authority, {@code admin}/{@code viewer} from the operators'. A certificate whose serial is in the revocation list
 * ({@code zookeeper.palisade.revoked}, read at every handshake) is refused.
 */
public final class PalisadeAuthProvider extends X509AuthenticationProvider {
  public static final String SCHEME = "palisade";
  /** Configuration key (zoo.cfg; ZooKeeper turns it into the system property zookeeper.palisade.revoked). */
  public static final String REVOKED_KEY = "palisade.revoked";
  /**
   * Configuration key: {@code true} makes an admin credential the store's superuser, which ZooKeeper's dynamic
   * reconfiguration requires (it checks write access to /zookeeper/config, read-only for everyone else). Admins hold
   * every permission on the cluster's znodes already; members, viewers and unauthenticated clients never get it.
   */
  public static final String ADMIN_RECONFIG_KEY = "palisade.adminReconfig";
  private static final Set<String> ROLES = Set.of("member", "admin", "viewer");
  /** The CNs of the two authorities (Credentials names them so). */
  static final String MEMBERS_CA_CN = "members ca";
  static final String OPERATORS_CA_CN = "operators ca";
  private static final Logger log = LoggerFactory.getLogger(PalisadeAuthProvider.class);

  public PalisadeAuthProvider() throws X509Exception {
    super();
  }

  /**
   * The server's key, read from the configured files at each use (not once per JVM as ZooKeeper's provider does,
   * which its registry keeps for ever): a renewed certificate or a rotated authority on disk counts from the next
   * connection on.
   */
  @Override
  public X509KeyManager getKeyManager() throws X509Exception.KeyManagerException {
    return X509Util.createKeyManager(System.getProperty("zookeeper.ssl.keyStore.location"), null,
        System.getProperty("zookeeper.ssl.keyStore.type"));
  }

  /** The clients' authorities, read at each use like {@link #getKeyManager()}. */
  @Override
  public X509TrustManager getTrustManager() throws X509Exception.TrustManagerException {
    return X509Util.createTrustManager(System.getProperty("zookeeper.ssl.trustStore.location"), null,
        System.getProperty("zookeeper.ssl.trustStore.type"), false, false, false, false, false, false);
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public KeeperException.Code handleAuthentication(ServerCnxn cnxn, byte[] authData) {
    Certificate[] chain = cnxn.getClientCertificateChain();
    if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
      log.warn("store client without a certificate refused");
      return KeeperException.Code.AUTHFAILED;
    }
    X509Certificate[] certs = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) certs[i] = (X509Certificate) chain[i];
    try {
      getTrustManager().checkClientTrusted(certs, certs[0].getPublicKey().getAlgorithm());
      String id = idOf(certs[0]);
      String serial = certs[0].getSerialNumber().toString(16);
      String revokedFile = System.getProperty("zookeeper." + REVOKED_KEY);
      if (revokedFile != null && revoked(Path.of(revokedFile)).contains(serial)) {
        log.warn("store client {} refused: certificate {} is revoked", id, serial);
        return KeeperException.Code.AUTHFAILED;
      }
      cnxn.addAuthInfo(new Id(SCHEME, id));
      if (id.startsWith("admin/") && Boolean.getBoolean("zookeeper." + ADMIN_RECONFIG_KEY)) {
        cnxn.addAuthInfo(new Id("super", id)); // reconfiguration (store peer add|remove) needs it
      }
      return KeeperException.Code.OK;
    } catch (CertificateException | X509Exception | IOException | IllegalArgumentException e) {
      log.warn("store client refused: {}", e.getMessage());
      return KeeperException.Code.AUTHFAILED;
    }
  }

  /**
   * Serial numbers (lower-case hex) in a revocation list; an absent file is an empty list. Here rather than in
   * Credentials, so that an external ensemble needs only this jar on its class path, not the certificate builder.
   */
  public static Set<String> revoked(Path file) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    if (file == null || !Files.exists(file)) return out;
    for (String l : TextFile.readOrThrow(file).lines().toList()) {
      String s = l.strip().toLowerCase(Locale.ROOT);
      if (!s.isEmpty() && !s.startsWith("#")) out.add(s);
    }
    return out;
  }

  /** ROLE/NAME from a certificate the trust manager accepted; throws if its role and authority disagree. */
  static String idOf(X509Certificate cert) throws CertificateException {
    String cn = rdn(cert.getSubjectX500Principal(), "CN");
    String ou = rdn(cert.getSubjectX500Principal(), "OU");
    String issuer = rdn(cert.getIssuerX500Principal(), "CN");
    if (cn == null || ou == null || !ROLES.contains(ou)) {
      throw new CertificateException("certificate " + cert.getSubjectX500Principal() + " names no palisade role");
    }
    String expected = ou.equals("member") ? MEMBERS_CA_CN : OPERATORS_CA_CN;
    if (!expected.equals(issuer)) {
      throw new CertificateException("role " + ou + " of " + cn + " is not signed by the " + expected);
    }
    return ou + "/" + cn;
  }

  private static String rdn(X500Principal p, String type) throws CertificateException {
    try {
      for (Rdn r : new LdapName(p.getName(X500Principal.RFC2253)).getRdns()) {
        if (r.getType().equalsIgnoreCase(type)) return r.getValue().toString();
      }
      return null;
    } catch (InvalidNameException e) {
      throw new CertificateException("bad name " + p + ": " + e.getMessage(), e);
    }
  }

  /** An authenticated id ROLE/NAME matches the ACL entry naming its role. */
  @Override
  public boolean matches(String id, String aclExpr) {
    int slash = id.indexOf('/');
    return slash > 0 && id.substring(0, slash).equals(aclExpr);
  }

  /** ACL entries name a role. */
  @Override
  public boolean isValid(String id) {
    return ROLES.contains(id);
  }

  @Override
  public String getUserName(String id) {
    return id;
  }
}
