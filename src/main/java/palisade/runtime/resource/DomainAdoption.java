package palisade.runtime.resource;

import java.util.SortedMap;
import java.util.TreeMap;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a new daemon finds running on its node's libvirtd: every active domain that carries Palisade's metadata,
 * by resource id. A daemon restart (an upgrade, under the watchdog's restart hold) leaves the guests running; the
 * driver reports them as running so that the agent keeps those the manager assigns here and stops the others,
 * exactly as the process driver does with the processes it adopts. A domain without our metadata is not ours and is
 * left alone.
 */
final class DomainAdoption {
  private DomainAdoption() {}

  /** The driver's logger: these lines belong to its story. */
  private static final Logger log = LoggerFactory.getLogger(LibvirtResourceDriver.class);

  /**
   * One adopted domain. {@code token} is the one its metadata records when that metadata names this node, else -1
   * (unknown): a failed live migration leaves the target's name and the migration's token in the live metadata
   * while the core keeps the guest here under a newer token, and an older token would make the agent stop it.
   */
  record Adopted(String domain, long token, String recordedNode, long recordedToken) {}

  /** The active domains of {@code c} with our metadata, by resource id (sorted); a domain gone meanwhile is skipped. */
  static SortedMap<String, Adopted> scan(Connect c, String node) throws LibvirtException {
    SortedMap<String, Adopted> found = new TreeMap<>();
    for (int id : c.listDomains()) {
      Domain domain;
      DomainMetadata.Assignment a;
      try {
        domain = c.domainLookupByID(id);
        a = DomainMetadata.recorded(domain);
      } catch (LibvirtException e) {
        if (gone(e)) continue; // stopped between the list and the lookup
        throw e;
      }
      if (a == null) continue;
      String name = domain.getName();
      Adopted prev = found.put(a.resource(), choose(a, name, node));
      log.info("resource {}: adopted running domain {} (metadata: token {}, node {})", a.resource(), name, a.token(),
          a.node());
      if (prev != null) {
        // Two running domains claim one resource (an operator's copy): the later one is adopted, the other is left
        // to the operator, as any domain that is not ours.
        log.warn("resource {}: domains {} and {} both carry its metadata", a.resource(), prev.domain(), name);
      }
    }
    return found;
  }

  static Adopted choose(DomainMetadata.Assignment a, String name, String node) {
    return new Adopted(name, a.node().equals(node) ? a.token() : -1, a.node(), a.token());
  }

  private static boolean gone(LibvirtException e) {
    return e.getError() != null && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_DOMAIN;
  }
}
