package palisade.runtime.store;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import palisade.io.TextFile;

/**
 * Makes the store's credentials: a cluster's two certificate authorities and the credentials they sign.
 *
 * <p>Layout of a credentials directory {@code D} (directories 0700, every file 0600):
 * <pre>
 *   D/ca/members-ca.key, members-ca.pem       signs node (member) certificates; peers trust only this one
 *   D/ca/operators-ca.key, operators-ca.pem   signs operator certificates (role admin or viewer)
 *   D/ca/revoked                              serial numbers of revoked certificates, one a line
 *   D/nodes/NAME/                             a node's credential (see {@link Credential})
 *   D/operators/NAME/                         an operator's credential
 * </pre>
 * Two authorities, not one, so that the quorum ports can trust members only: an operator's certificate opens the
 * client port (with its role's ACLs) but can never pose as a ZooKeeper peer. The role travels in the certificate
 * (OU), signed by the authority, so adding an operator rewrites no ACL.
 */
public final class Credentials {
  public static final String MEMBERS_CA = "members-ca";
  public static final String OPERATORS_CA = "operators-ca";
  public static final String REVOKED = "revoked";
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final int NODE_DAYS_DEFAULT = 825;
  public static final int OPERATOR_DAYS_DEFAULT = 90;
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Credentials() {}

  public static Path caDir(Path dir) {
    return dir.resolve("ca");
  }

  public static Path nodeDir(Path dir, String name) {
    return dir.resolve("nodes").resolve(name);
  }

  public static Path operatorDir(Path dir, String name) {
    return dir.resolve("operators").resolve(name);
  }

  /** Creates both authorities of cluster {@code cluster} in D/ca; refuses if they exist. */
  public static void initCa(Path dir, String cluster) throws IOException {
    name(cluster, "cluster");
    Path ca = caDir(dir);
    if (Files.exists(ca.resolve(MEMBERS_CA + ".key")) || Files.exists(ca.resolve(OPERATORS_CA + ".key"))) {
      throw new IllegalStateException(ca + ": a certificate authority exists already (rotate: see docs/SECURITY.md)");
    }
    privateDir(dir);
    privateDir(ca);
    for (String which : List.of(MEMBERS_CA, OPERATORS_CA)) {
      KeyPair kp = keyPair();
      X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "palisade " + cluster)
          .addRDN(BCStyle.OU, "ca").addRDN(BCStyle.CN, which.equals(MEMBERS_CA) ? PalisadeAuthProvider.MEMBERS_CA_CN
          : PalisadeAuthProvider.OPERATORS_CA_CN).build();
      X509Certificate cert = sign(subject, null, kp.getPrivate(), subject, kp.getPublic(), CA_VALIDITY, List.of(), null);
      writePrivate(ca.resolve(which + ".key"), pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
      writePrivate(ca.resolve(which + ".pem"), pem("CERTIFICATE", encoded(cert)));
    }
    if (!Files.exists(ca.resolve(REVOKED))) writePrivate(ca.resolve(REVOKED), "");
  }

  /** A node's credential (role member) in D/nodes/NAME; refuses to overwrite one. */
  public static Path issueNode(Path dir, String name, int days) throws IOException {
    return issueNode(dir, name, days, List.of());
  }

  /**
   * A node's credential whose certificate also names ADDRESSES (IP literals or DNS names) as subject alternative
   * names, besides the node's name: what an HTTPS client checks when it dials the node's web server by address.
   *
   * @throws IllegalArgumentException naming --address when one is neither an IP address nor a DNS name
   */
  public static Path issueNode(Path dir, String name, int days, List<String> addresses) throws IOException {
    GeneralNames names = subjectAltNames(name, addresses);
    return issue(dir, nodeDir(dir, name), name, Credential.Role.MEMBER, days, names);
  }

  private static final Pattern DNS_NAME = Pattern.compile(
      "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /** DNS:NAME, then each address as an IP or DNS entry, in the order given, without repeats. */
  static GeneralNames subjectAltNames(String name, List<String> addresses) {
    java.util.LinkedHashMap<String, GeneralName> out = new java.util.LinkedHashMap<>();
    out.put("dns:" + name, new GeneralName(GeneralName.dNSName, name));
    for (String a : addresses) {
      String t = a.strip();
      boolean ip = IPV4.matcher(t).matches() || t.contains(":");
      if (ip) {
        if (!org.bouncycastle.util.IPAddress.isValid(t)) {
          throw new IllegalArgumentException("--address: '" + a + "' is not a valid IP address");
        }
        out.putIfAbsent("ip:" + t, new GeneralName(GeneralName.iPAddress, t));
      } else {
        if (!DNS_NAME.matcher(t).matches()) {
          throw new IllegalArgumentException("--address: '" + a + "' is neither an IP address nor a DNS name");
        }
        out.putIfAbsent("dns:" + t.toLowerCase(java.util.Locale.ROOT), new GeneralName(GeneralName.dNSName, t));
      }
    }
    return new GeneralNames(out.values().toArray(new GeneralName[0]));
  }

  /** An operator's credential with its role (admin or viewer) in D/operators/NAME; refuses to overwrite one. */
  public static Path issueOperator(Path dir, String name, Credential.Role role, int days) throws IOException {
    if (role == Credential.Role.MEMBER) throw new IllegalArgumentException("--role: must be admin or viewer");
    return issue(dir, operatorDir(dir, name), name, role, days, null);
  }

  private static Path issue(Path dir, Path out, String name, Credential.Role role, int days, GeneralNames altNames)
      throws IOException {
    name(name, "name");
    if (days < 1 || days > 3650) throw new IllegalArgumentException("--days: must be 1 to 3650, got " + days);
    Path ca = caDir(dir);
    String which = role == Credential.Role.MEMBER ? MEMBERS_CA : OPERATORS_CA;
    if (!Files.exists(ca.resolve(which + ".key"))) {
      throw new IllegalStateException(ca + ": no certificate authority (run: palisade credentials init-ca --dir "
          + dir + ")");
    }
    if (Files.exists(out.resolve(Credential.IDENTITY))) {
      throw new IllegalStateException(out + ": a credential exists already (revoke it, or choose another name)");
    }
    X509Certificate caCert = Credential.readCertificates(ca.resolve(which + ".pem")).get(0);
    PrivateKey caKey = Credential.readKey(ca.resolve(which + ".key"));
    String cluster = organization(caCert);
    KeyPair kp = keyPair();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, cluster)
        .addRDN(BCStyle.OU, role.id()).addRDN(BCStyle.CN, name).build();
    List<KeyPurposeId> purposes = role == Credential.Role.MEMBER
        ? List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth)
        : List.of(KeyPurposeId.id_kp_clientAuth);
    X509Certificate cert = sign(X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()), caCert, caKey,
        subject, kp.getPublic(), Duration.ofDays(days), purposes, altNames);
    Files.createDirectories(out.getParent());
    privateDir(out.getParent());
    privateDir(out);
    writePrivate(out.resolve(Credential.IDENTITY), pem("PRIVATE KEY", kp.getPrivate().getEncoded())
        + pem("CERTIFICATE", encoded(cert)));
    writePrivate(out.resolve(Credential.SERVER_CA), Files.readString(ca.resolve(MEMBERS_CA + ".pem")));
    if (role == Credential.Role.MEMBER) {
      writePrivate(out.resolve(Credential.CLIENT_CA), Files.readString(ca.resolve(MEMBERS_CA + ".pem"))
          + Files.readString(ca.resolve(OPERATORS_CA + ".pem")));
      Path revoked = ca.resolve(REVOKED);
      writePrivate(out.resolve(REVOKED), Files.exists(revoked) ? Files.readString(revoked) : "");
    }
    return out;
  }

  /**
   * Revokes the credential in {@code credentialDir}: its serial goes to D/ca/revoked and to the revocation list of
   * every node credential under D (copy those to the nodes). Peers refuse it from their next connection on.
   *
   * @return the node credential directories whose list was updated
   */
  public static List<Path> revoke(Path dir, Path credentialDir) throws IOException {
    Credential c = Credential.load(credentialDir);
    String serial = c.serial();
    Path ca = caDir(dir);
    if (!Files.exists(ca.resolve(MEMBERS_CA + ".pem"))) throw new IllegalStateException(ca + ": no authority here");
    List<Path> updated = new ArrayList<>();
    addLine(ca.resolve(REVOKED), serial);
    Path nodes = dir.resolve("nodes");
    if (Files.isDirectory(nodes)) {
      try (var s = Files.list(nodes)) {
        for (Path n : s.sorted().toList()) {
          if (Files.exists(n.resolve(Credential.CLIENT_CA))) {
            addLine(n.resolve(REVOKED), serial);
            updated.add(n);
          }
        }
      }
    }
    return updated;
  }

  private static void addLine(Path file, String line) throws IOException {
    TreeSet<String> lines = new TreeSet<>(Files.exists(file) ? Files.readAllLines(file) : List.of());
    lines.removeIf(String::isBlank);
    lines.add(line);
    writePrivate(file, String.join("\n", lines) + "\n");
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  static void name(String name, String what) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + ": '" + name + "' must be lower-case letters, digits, '.', '-' or "
          + "'_' (max 63)");
    }
  }

  private static String organization(X509Certificate caCert) {
    X500Name n = X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded());
    return n.getRDNs(BCStyle.O)[0].getFirst().getValue().toString();
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
    }
  }

  /** A certificate for subjectKey signed by signer; a self-signed authority when issuerCert is null. */
  private static X509Certificate sign(X500Name issuer, X509Certificate issuerCert, PrivateKey signer,
      X500Name subject, PublicKey subjectKey, Duration validity, List<KeyPurposeId> purposes, GeneralNames altNames) {
    boolean ca = issuerCert == null;
    try {
      Instant now = Instant.now();
      BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial,
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject,
          subjectKey);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      if (ca) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        b.addExtension(Extension.authorityKeyIdentifier, false,
            ext.createAuthorityKeyIdentifier(issuerCert.getPublicKey()));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        b.addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(purposes.toArray(new KeyPurposeId[0])));
        if (altNames != null) b.addExtension(Extension.subjectAlternativeName, false, altNames);
      }
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot sign a certificate: " + e.getMessage(), e);
    }
  }

  private static byte[] encoded(X509Certificate cert) {
    try {
      return cert.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** A directory only its owner may enter. */
  static void privateDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  /** Writes a file that is 0600 from its first byte (written aside, then moved into place). */
  static void writePrivate(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
