package palisade.web;

import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The daemon's HTTPS listener: the node's store credential (its key, and its certificate signed by the cluster's
 * members authority) serves the dashboard, the API and the metrics. No client certificate is asked for: requests
 * authenticate with API tokens, which TLS keeps off the wire.
 */
final class HttpsConnector {
  private HttpsConnector() {}

  static ServerConnector of(Server server, HttpConfiguration http, SSLContext context, String host, int port) {
    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setSslContext(context);
    tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    // Clients dial by address and send no SNI; which names the certificate covers is the client's check.
    tls.setSniRequired(false);
    http.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector c = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
        new HttpConnectionFactory(http));
    c.setHost(host);
    c.setPort(port);
    return c;
  }

  /**
   * Why a client that checks names would refuse CERTIFICATE at ADDRESS (no subject alternative name matches it),
   * or empty when one does.
   */
  static Optional<String> nameMismatch(X509Certificate certificate, String address) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alt = certificate.getSubjectAlternativeNames();
      if (alt != null) alt.forEach(n -> names.add(String.valueOf(n.get(1))));
    } catch (CertificateParsingException e) {
      return Optional.of("its subject alternative names cannot be read");
    }
    for (String n : names) {
      if (n.equalsIgnoreCase(address) || sameIp(n, address)) return Optional.empty();
    }
    return Optional.of("it names " + (names.isEmpty() ? "no address" : String.join(", ", names).toLowerCase(
        Locale.ROOT)) + ", not " + address);
  }

  private static boolean sameIp(String a, String b) {
    if (!looksLikeIp(a) || !looksLikeIp(b)) return false;
    try {
      return InetAddress.getByName(a).equals(InetAddress.getByName(b)); // literals only: no lookup happens
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static boolean looksLikeIp(String s) {
    return s.matches("[0-9.]+") || s.contains(":");
  }
}
