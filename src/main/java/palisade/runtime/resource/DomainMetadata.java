package palisade.runtime.resource;

import static palisade.runtime.resource.LibvirtResourceDriver.AFFECT_CONFIG;
import static palisade.runtime.resource.LibvirtResourceDriver.AFFECT_LIVE;
import static palisade.runtime.resource.LibvirtResourceDriver.METADATA_ELEMENT;
import static palisade.runtime.resource.LibvirtResourceDriver.METADATA_URI;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fencing token in a libvirt domain's palisade metadata: {@code <palisade:assignment resource=".." token=".."
 * node=".."/>}. The resource id is there so that a new daemon can tell which resource a running domain is (its
 * domain name may differ); metadata written before it had none, and then the domain name is the id (the default).
 */
final class DomainMetadata {
  private DomainMetadata() {}

  /** The driver's logger: these lines belong to its story. */
  private static final Logger log = LoggerFactory.getLogger(LibvirtResourceDriver.class);
  private static final Pattern TOKEN = Pattern.compile("token=['\"](\\d+)['\"]");
  private static final Pattern RESOURCE = Pattern.compile("resource=['\"]([^'\"]*)['\"]");
  private static final Pattern NODE = Pattern.compile("node=['\"]([^'\"]*)['\"]");

  /** What the metadata says: which resource the domain is, its token, the node it was assigned to. */
  record Assignment(String resource, long token, String node) {}

  /** The element's assignment, or null when it carries no token (no metadata of ours). */
  static Assignment parse(String element, String domainName) {
    Matcher t = element == null ? null : TOKEN.matcher(element);
    if (t == null || !t.find()) return null;
    Matcher r = RESOURCE.matcher(element);
    Matcher n = NODE.matcher(element);
    String resource = r.find() && !r.group(1).isEmpty() ? xmlUnescape(r.group(1)) : domainName;
    return new Assignment(resource, Long.parseLong(t.group(1)), n.find() ? xmlUnescape(n.group(1)) : "");
  }

  /** The assignment in the domain's palisade metadata (live if running), or null when it carries none. */
  static Assignment recorded(Domain domain) throws LibvirtException {
    String element = element(domain);
    return element == null ? null : parse(element, domain.getName());
  }

  /** The token in the domain's palisade metadata (live if running), or null when it carries none. */
  static Long recordedToken(Domain domain) throws LibvirtException {
    String element = element(domain);
    Matcher m = element == null ? null : TOKEN.matcher(element);
    return m != null && m.find() ? Long.parseLong(m.group(1)) : null;
  }

  private static String element(Domain domain) throws LibvirtException {
    try {
      return domain.getMetadata(METADATA_ELEMENT, METADATA_URI, 0);
    } catch (LibvirtException e) {
      if (e.getError() != null && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA) {
        return null;
      }
      throw e;
    }
  }

  static void recordToken(Domain domain, String id, long token, String node, int flags) throws LibvirtException {
    String element = "<assignment resource='" + xmlEscape(id) + "' token='" + token + "' node='" + xmlEscape(node)
        + "'/>";
    // The token is what keeps a stale start from running a domain another node owns: a failure fails the start.
    domain.setMetadata(METADATA_ELEMENT, element, "palisade", METADATA_URI, flags);
    log.debug("resource {}: token {} recorded in the metadata of domain {}", id, token, node);
  }

  static String xmlEscape(String s) {
    return s.replace("&", "&amp;").replace("'", "&apos;").replace("\"", "&quot;").replace("<", "&lt;")
        .replace(">", "&gt;");
  }

  static String xmlUnescape(String s) {
    return s.replace("&apos;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
        .replace("&amp;", "&");
  }

  /**
   * Starts the domain with the token in its metadata: a running one is taken over as is, a paused one resumed, a
   * stopped one booted, its persistent definition carrying the token first so that the guest boots with it.
   */
  static void startWithToken(Domain domain, String id, long token, String node) throws LibvirtException {
    boolean persistent = domain.isPersistent() == 1;
    switch (domain.getInfo().state) {
      case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> {
        recordToken(domain, id, token, node, AFFECT_LIVE | (persistent ? AFFECT_CONFIG : 0));
        log.info("resource {}: domain {} already running, start is a no-op", id, domain.getName());
      }
      case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> {
        recordToken(domain, id, token, node, AFFECT_LIVE | (persistent ? AFFECT_CONFIG : 0));
        domain.resume();
      }
      default -> {
        if (persistent) recordToken(domain, id, token, node, AFFECT_CONFIG);
        domain.create();
        if (!persistent) recordToken(domain, id, token, node, AFFECT_LIVE);
      }
    }
  }

  /** The domain XML a resource brings: its {@code xml} option, else the file its {@code xml_file} names; or null. */
  static String definition(ResourceSpec spec) throws ResourceException {
    String xml = spec.option("xml").orElse(null);
    if (xml == null && spec.option("xml_file").isPresent()) {
      java.nio.file.Path file = java.nio.file.Path.of(spec.option("xml_file").get());
      try {
        xml = java.nio.file.Files.readString(file);
      } catch (java.io.IOException e) {
        throw new ResourceException("resource " + spec.id() + ": option xml_file: cannot read " + file + ": " + e, e);
      }
    }
    return xml;
  }
}
