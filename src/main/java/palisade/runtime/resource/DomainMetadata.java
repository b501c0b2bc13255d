package palisade.runtime.resource;

import static palisade.runtime.resource.LibvirtResourceDriver.METADATA_ELEMENT;
import static palisade.runtime.resource.LibvirtResourceDriver.METADATA_URI;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The fencing token in a libvirt domain's palisade metadata: {@code <palisade:assignment token=".." node=".."/>}. */
final class DomainMetadata {
  private DomainMetadata() {}

  /** The driver's logger: these lines belong to its story. */
  private static final Logger log = LoggerFactory.getLogger(LibvirtResourceDriver.class);
  private static final Pattern TOKEN = Pattern.compile("token=['\"](\\d+)['\"]");

  /** The token in the domain's palisade metadata (live if running), or null when it carries none. */
  static Long recordedToken(Domain domain) throws LibvirtException {
    String element;
    try {
      element = domain.getMetadata(METADATA_ELEMENT, METADATA_URI, 0);
    } catch (LibvirtException e) {
      if (e.getError() != null && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA) {
        return null;
      }
      throw e;
    }
    Matcher m = element == null ? null : TOKEN.matcher(element);
    return m != null && m.find() ? Long.parseLong(m.group(1)) : null;
  }

  static void recordToken(Domain domain, String id, long token, String node, int flags) throws LibvirtException {
    String element = "<assignment token='" + token + "' node='" + xmlEscape(node) + "'/>";
    // The token is what keeps a stale start from running a domain another node owns: a failure fails the start.
    domain.setMetadata(METADATA_ELEMENT, element, "palisade", METADATA_URI, flags);
    log.debug("resource {}: token {} recorded in the metadata of domain {}", id, token, node);
  }

  private static String xmlEscape(String s) {
    return s.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
