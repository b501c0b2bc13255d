package palisade.runtime.resource;

import java.time.Duration;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.ErrorCallback;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each resource as a libvirt domain through one connection (default {@code test:///default}).
 *
 * <p>Options: {@code domain} (default: the resource id) and optionally {@code xml}, used to define
 * the domain when it does not exist yet. The fencing token is written into the domain's metadata
 * (element {@code <palisade:assignment token=".." node=".."/>}) where the hypervisor driver
 * supports it, and logged in any case.
 *
 * <p>The libvirt binding is not documented as thread-safe per connection, so every call goes
 * through this object's monitor; stop polls outside of it.
 */
public final class LibvirtResourceDriver implements ResourceDriver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LibvirtResourceDriver.class);
  public static final String DEFAULT_URI = "test:///default";
  static final String METADATA_URI = "urn:palisade:resource:1";
  static final int METADATA_ELEMENT = 2; // VIR_DOMAIN_METADATA_ELEMENT
  static final int AFFECT_LIVE = 1; // VIR_DOMAIN_AFFECT_LIVE
  static final long POLL_MS = 100;
  static final long KILL_WAIT_MS = 5_000;

  private final String uri;
  private final Connect connect;
  /** Resource id to domain name, for the resources this driver started. */
  private final Map<String, String> domains = new TreeMap<>();

  public LibvirtResourceDriver() throws ResourceException {
    this(DEFAULT_URI);
  }

  public LibvirtResourceDriver(String uri) throws ResourceException {
    this.uri = uri;
    this.connect = open(uri);
  }

  private static Connect open(String uri) throws ResourceException {
    try {
      Connect connect = new Connect(uri);
      // libvirt prints every error to stderr by default, including the expected "domain not
      // found" of a lookup; errors reach us as exceptions anyway, so silence the printing.
      connect.setConnectionErrorCallback(new ErrorCallback());
      return connect;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      // Library's static initialiser fails on the first use, then NoClassDefFoundError after.
      throw new ResourceException("cannot load the libvirt native library (libvirt.so.0): install "
          + "libvirt0 / libvirt-clients; " + e, e);
    } catch (LibvirtException e) {
      throw new ResourceException("cannot connect to libvirt at " + uri + ": " + e.getMessage(), e);
    }
  }

  public String uri() {
    return uri;
  }

  @Override
  public synchronized void start(ResourceSpec spec, long token, String node) throws ResourceException {
    String id = spec.id();
    String name = spec.option("domain").orElse(id);
    try {
      Domain domain = lookup(name);
      if (domain == null) {
        String xml = spec.option("xml").orElseThrow(() -> new ResourceException(
            "resource " + id + ": domain " + name + " does not exist and no 'xml' option defines it"));
        domain = connect.domainDefineXML(xml);
        if (!domain.getName().equals(name)) {
          throw new ResourceException("resource " + id + ": xml defines domain " + domain.getName()
              + ", expected " + name);
        }
        log.info("resource {}: defined domain {}", id, name);
      }
      DomainState state = domain.getInfo().state;
      switch (state) {
        case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED ->
            log.info("resource {}: domain {} already running, start is a no-op", id, name);
        case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> domain.resume();
        default -> domain.create();
      }
      domains.put(id, name);
      recordToken(domain, id, token, node);
      log.info("resource {}: domain {} started on {} with token {}", id, name, node, token);
    } catch (LibvirtException e) {
      throw new ResourceException("resource " + id + ": cannot start domain " + name + ": " + e.getMessage(), e);
    }
  }

  /** The assignment as recorded in the domain metadata, if the hypervisor keeps metadata. */
  synchronized String recordedAssignment(String id) throws LibvirtException {
    Domain domain = lookup(domains.getOrDefault(id, id));
    if (domain == null) {
      return null;
    }
    String xml = domain.getXMLDesc(0);
    int at = xml.indexOf("<palisade:assignment");
    return at < 0 ? null : xml.substring(at, xml.indexOf("/>", at) + 2);
  }

  private void recordToken(Domain domain, String id, long token, String node) {
    String element = "<assignment token='" + token + "' node='" + xmlEscape(node) + "'/>";
    try {
      domain.setMetadata(METADATA_ELEMENT, element, "palisade", METADATA_URI, AFFECT_LIVE);
    } catch (LibvirtException e) {
      // Metadata is a record for operators, not a safety mechanism: the token is also logged.
      log.warn("resource {}: cannot record token {} in domain metadata: {}", id, token, e.getMessage());
    }
  }

  private static String xmlEscape(String s) {
    return s.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public void stop(String id, Duration timeout) throws ResourceException {
    String name;
    synchronized (this) {
      name = domains.getOrDefault(id, id);
      try {
        Domain domain = lookup(name);
        if (domain == null || domain.isActive() == 0) {
          domains.remove(id);
          return;
        }
        domain.shutdown();
        log.info("resource {}: shutdown requested for domain {}", id, name);
      } catch (LibvirtException e) {
        throw new ResourceException("resource " + id + ": cannot shut down domain " + name + ": " + e.getMessage(), e);
      }
    }
    if (!awaitInactive(name, timeout.toMillis())) {
      log.warn("resource {}: domain {} still running after {}, destroying", id, name, timeout);
      destroy(id, name);
      if (!awaitInactive(name, KILL_WAIT_MS)) {
        throw new ResourceException("resource " + id + ": domain " + name + " survived destroy");
      }
    }
    synchronized (this) {
      domains.remove(id);
    }
    log.info("resource {}: domain {} stopped", id, name);
  }

  private boolean awaitInactive(String name, long timeoutMs) throws ResourceException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (true) {
      if (!active(name)) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ResourceException("interrupted while stopping domain " + name, e);
      }
    }
  }

  private synchronized void destroy(String id, String name) throws ResourceException {
    try {
      Domain domain = lookup(name);
      if (domain != null && domain.isActive() != 0) {
        domain.destroy();
      }
    } catch (LibvirtException e) {
      throw new ResourceException("resource " + id + ": cannot destroy domain " + name + ": " + e.getMessage(), e);
    }
  }

  private synchronized boolean active(String name) {
    try {
      Domain domain = lookup(name);
      return domain != null && domain.isActive() != 0;
    } catch (LibvirtException e) {
      // Unknown is not "stopped": a caller that sees false may start the resource elsewhere.
      throw new IllegalStateException("cannot query domain " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * @throws IllegalStateException if libvirt cannot answer; claiming "not running" when we do not
   *     know would be unsafe
   */
  @Override
  public synchronized boolean isRunning(String id) {
    return active(domains.getOrDefault(id, id));
  }

  /** The resources this driver started (since it was created) whose domains are active. */
  @Override
  public synchronized SortedSet<String> running() {
    SortedSet<String> ids = new TreeSet<>();
    domains.forEach((id, name) -> {
      if (active(name)) {
        ids.add(id);
      }
    });
    return ids;
  }

  @Override
  public synchronized void killAll() {
    domains.forEach((id, name) -> {
      try {
        destroy(id, name);
        log.warn("killAll: domain {} of resource {} destroyed", name, id);
      } catch (ResourceException | RuntimeException e) {
        log.error("killAll: {}", e.getMessage());
      }
    });
    domains.clear();
  }

  /** The domain, or null if libvirt does not know it. */
  private Domain lookup(String name) throws LibvirtException {
    try {
      return connect.domainLookupByName(name);
    } catch (LibvirtException e) {
      if (e.getError() != null && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public synchronized void close() throws ResourceException {
    try {
      connect.close();
    } catch (LibvirtException e) {
      throw new ResourceException("cannot close libvirt connection " + uri + ": " + e.getMessage(), e);
    }
  }
}
