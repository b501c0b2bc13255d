package palisade.runtime.resource;

import static palisade.runtime.resource.DomainMetadata.recordToken;
import static palisade.runtime.resource.DomainMetadata.recordedToken;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventType;
import org.libvirt.event.LifecycleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each resource as a libvirt domain of one hypervisor connection (the node's {@code libvirt_uri}, default
 * {@code test:///default}), through the libvirt Java bindings (JNA); no {@code virsh} is needed, the bindings cover
 * define, start, shutdown, destroy, metadata, lifecycle events, job info, abort and both migration modes.
 *
 * <p>Options: {@code domain} (default: the resource id); {@code xml} or {@code xml_file}, the domain XML that
 * defines the domain when it does not exist yet; {@code migration} {@code p2p} (default: the source libvirtd dials
 * the target's, as production hosts do over qemu+ssh or qemu+tls) or {@code client} (this driver holds both
 * connections); {@code migrate_uri}, where the migration stream goes (e.g. {@code tcp://10.0.0.2}); {@code
 * migrate_timeout}, seconds (default {@value #DEFAULT_MIGRATE_TIMEOUT_S}) after which the job is aborted.
 *
 * <p>The fencing token travels in the domain's {@code <metadata>} ({@link DomainMetadata}), written into the
 * persistent definition before a boot and into the live one, and carried along by a migration. A start refuses a
 * domain whose metadata carries a newer token: another node owns it since. A new daemon adopts the running domains
 * that carry it ({@link DomainAdoption}).
 *
 * <p>Status comes from libvirt's lifecycle events (started, stopped, migrated), kept per domain; a stop waits for
 * the stopped event, with a cheap direct check once a second should an event be lost. {@link #isRunning} asks
 * libvirt directly. A lost connection is reopened on the next call; while libvirt cannot answer, no call claims a
 * domain stopped.
 */
public final class LibvirtResourceDriver implements ResourceDriver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LibvirtResourceDriver.class);
  public static final String DEFAULT_URI = "test:///default";
  static final String METADATA_URI = "urn:palisade:resource:1";
  static final int METADATA_ELEMENT = 2; // VIR_DOMAIN_METADATA_ELEMENT
  static final int AFFECT_LIVE = 1; // VIR_DOMAIN_AFFECT_LIVE
  static final int AFFECT_CONFIG = 2; // VIR_DOMAIN_AFFECT_CONFIG
  static final long MIGRATE_LIVE = 1; // VIR_MIGRATE_LIVE
  static final long MIGRATE_PEER2PEER = 2, MIGRATE_PERSIST_DEST = 8, MIGRATE_UNDEFINE_SOURCE = 16;
  static final long FALLBACK_CHECK_MS = 1_000;
  static final long KILL_WAIT_MS = 5_000;
  static final long DEFAULT_MIGRATE_TIMEOUT_S = 300;
  static final long PROGRESS_EVERY_MS = 1_000, ABORT_RETRY_MS = 500;
  static final int HISTORY_MAX = 64;

  private final String uri;
  private Connect connect;
  /** One listener for every connection this driver opens, so a close can take it off again. */
  private final Listener listener = new Listener();
  /** Resource id to domain name, for the resources this driver started. */
  private final Map<String, String> domains = new TreeMap<>();
  /** Domain name to active, as the lifecycle events tell; absent = not known from events (check directly). */
  private final Map<String, Boolean> eventActive = new TreeMap<>();
  /**
   * Domain name to the state our own start or stop put it in, until its event arrives: an event of the other state
   * before that is an older one delivered late (the stop before a start), not news, and is not applied.
   */
  private final Map<String, Boolean> pending = new TreeMap<>();
  /** Token by resource id of the domains adopted at start and not started or moved since (-1: unknown). */
  private final Map<String, Long> adoptedTokens = new TreeMap<>();
  /** The last lifecycle events, "name TYPE DETAIL", oldest first (for operators and tests). */
  private final Deque<String> history = new ArrayDeque<>();

  public LibvirtResourceDriver() throws ResourceException {
    this(DEFAULT_URI);
  }

  public LibvirtResourceDriver(String uri) throws ResourceException {
    this.uri = uri;
    this.connect = open();
  }

  /** A node daemon's driver: also adopts what an earlier daemon of {@code node} left running ({@link DomainAdoption}). */
  public LibvirtResourceDriver(String uri, String node) throws ResourceException {
    this(uri);
    synchronized (this) {
      try {
        DomainAdoption.scan(conn(), node).forEach((id, a) -> {
          domains.put(id, a.domain());
          eventActive.put(a.domain(), true);
          adoptedTokens.put(id, a.token());
        });
      } catch (LibvirtException e) {
        throw new ResourceException("cannot list the running domains at " + uri + ": " + e.getMessage(), e);
      }
    }
  }

  /** The adopted domains that still run: "domain NAME, token T" by resource id. */
  public synchronized java.util.SortedMap<String, String> adopted() {
    java.util.SortedMap<String, String> out = new TreeMap<>();
    adoptedTokens.forEach((id, t) -> {
      if (running().contains(id)) out.put(id, "domain " + domains.get(id) + ", token " + (t < 0 ? "unknown" : t));
    });
    return out;
  }

  /** An adopted domain's token for this node ({@link DomainAdoption.Adopted}); -1: unknown, not adopted or gone. */
  public synchronized long token(String id) {
    Long t = adoptedTokens.get(id);
    return t != null && running().contains(id) ? t : -1;
  }

  private Connect open() throws ResourceException {
    try {
      return LibvirtConnections.open(uri, listener, (conn, reason) -> connectionClosed(conn, String.valueOf(reason)));
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      // Library's static initialiser fails on the first use, then NoClassDefFoundError after.
      throw new ResourceException("cannot load the libvirt native library (libvirt.so.0): install "
          + "libvirt0 / libvirt-clients; " + e, e);
    } catch (LibvirtException e) {
      throw new ResourceException("cannot connect to libvirt at " + uri + ": " + e.getMessage(), e);
    }
  }

  /** Lifecycle events: the status of every domain of this connection, without polling. */
  private final class Listener implements LifecycleListener {
    @Override
    public int onLifecycleChange(Domain domain, DomainEvent event) {
      String name;
      try {
        name = domain.getName();
      } catch (LibvirtException e) {
        return 0;
      }
      DomainEventType type = event.getType();
      Object detail = event.getDetail();
      synchronized (LibvirtResourceDriver.this) {
        Boolean state = switch (type) {
          case STARTED, RESUMED, SUSPENDED, PMSUSPENDED -> true;
          case STOPPED -> false;
          default -> null; // DEFINED, UNDEFINED, SHUTDOWN (the guest asked; STOPPED follows), CRASHED, UNKNOWN
        };
        Boolean want = pending.get(name);
        if (state != null && (want == null || want.equals(state))) {
          pending.remove(name);
          eventActive.put(name, state);
        }
        if (type == DomainEventType.UNDEFINED) eventActive.remove(name);
        history.addLast(name + " " + type + " " + detail);
        while (history.size() > HISTORY_MAX) history.removeFirst();
        LibvirtResourceDriver.this.notifyAll();
      }
      log.info("libvirt {}: domain {} {} {}", uri, name, type, detail);
      return 0;
    }
  }

  private synchronized void connectionClosed(Connect closed, String reason) {
    LibvirtConnections.lost(closed);
    if (closed != connect) return;
    log.warn("libvirt {}: connection closed ({}); reopened on the next call", uri, reason);
    eventActive.clear(); // events may have been missed: unknown until checked directly
    pending.clear();
    connect = null;
    notifyAll();
  }

  /** The open connection, reopened after a loss. */
  private synchronized Connect conn() throws LibvirtException {
    if (connect == null) {
      try {
        connect = open();
      } catch (ResourceException e) {
        if (e.getCause() instanceof LibvirtException le) throw le;
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
    return connect;
  }

  public String uri() {
    return uri;
  }

  /** Each running domain's CPU time and memory from libvirt's domain info ({@link LibvirtUsage}). */
  @Override
  public synchronized java.util.SortedMap<String, ResourceSample> samples() {
    return LibvirtUsage.samples(running(), domains, this::lookup);
  }

  /** The last lifecycle events seen on this connection, "NAME TYPE DETAIL", oldest first. */
  public synchronized List<String> history() {
    return new ArrayList<>(history);
  }

  @Override
  public void start(ResourceSpec spec, long token, String node) throws ResourceException {
    String id = spec.id();
    String name = spec.option("domain").orElse(id);
    String xml = DomainMetadata.definition(spec);
    synchronized (this) {
      try {
        Domain domain = lookup(name);
        if (domain == null) {
          if (xml == null) {
            throw new ResourceException("resource " + id + ": domain " + name
                + " does not exist and neither option 'xml' nor 'xml_file' defines it");
          }
          domain = conn().domainDefineXML(xml);
          if (!domain.getName().equals(name)) {
            String defined = domain.getName();
            domain.undefine();
            throw new ResourceException("resource " + id + ": the domain XML defines domain " + defined
                + ", expected " + name + " (option 'domain', default the resource id)");
          }
          log.info("resource {}: defined domain {}", id, name);
        }
        Long recorded = recordedToken(domain);
        if (recorded != null && recorded > token) {
          throw new ResourceException("resource " + id + ": domain " + name + " carries token " + recorded
              + ", newer than this start's " + token + ": another node took it over since; not starting it");
        }
        DomainMetadata.startWithToken(domain, id, token, node);
        domains.put(id, name);
        adoptedTokens.remove(id); // its metadata carries this start's token now
        eventActive.put(name, true);
        pending.put(name, true);
        log.info("resource {}: domain {} started on {} with token {}", id, name, node, token);
      } catch (LibvirtException e) {
        throw new ResourceException("resource " + id + ": cannot start domain " + name + ": " + e.getMessage(), e);
      }
    }
  }

  /** The assignment as recorded in the domain's live metadata, if any. */
  synchronized String recordedAssignment(String id) throws LibvirtException {
    Domain domain = lookup(domains.getOrDefault(id, id));
    if (domain == null) {
      return null;
    }
    String xml = domain.getXMLDesc(0);
    int at = xml.indexOf("<palisade:assignment");
    return at < 0 ? null : xml.substring(at, xml.indexOf("/>", at) + 2);
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
        eventActive.put(name, true);
        pending.put(name, false);
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
      adoptedTokens.remove(id);
    }
    log.info("resource {}: domain {} stopped", id, name);
  }

  /**
   * Waits until libvirt itself says the domain is inactive: asked directly when a stopped event arrives, and once a
   * second in case an event was lost. An event alone never ends the wait: a late one could be about an earlier run,
   * and a stop reported too early lets the resource start elsewhere while it still runs here.
   */
  private synchronized boolean awaitInactive(String name, long timeoutMs) throws ResourceException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    long nextCheck = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= nextCheck || Boolean.FALSE.equals(eventActive.get(name))) {
        if (!active(name)) return true;
        nextCheck = now + FALLBACK_CHECK_MS * 1_000_000;
      }
      if (now >= deadline) return false;
      try {
        wait(Math.max(1, Math.min(deadline, nextCheck) - now) / 1_000_000 + 1);
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

  /** Asks libvirt directly (one call). */
  private synchronized boolean active(String name) {
    try {
      Domain domain = lookup(name);
      boolean a = domain != null && domain.isActive() != 0;
      eventActive.put(name, a);
      return a;
    } catch (LibvirtException e) {
      // Unknown is not "stopped": a caller that sees false may start the resource elsewhere.
      throw new IllegalStateException("cannot query domain " + name + " at " + uri + ": " + e.getMessage(), e);
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

  /**
   * The resources this driver started whose domains are active, as the lifecycle events tell; a domain the events
   * have not told about (or every domain, after a lost connection or without the event loop) is checked directly.
   */
  @Override
  public synchronized SortedSet<String> running() {
    SortedSet<String> ids = new TreeSet<>();
    boolean events = LibvirtEventLoop.running() && connect != null;
    domains.forEach((id, name) -> {
      Boolean known = events && !pending.containsKey(name) ? eventActive.get(name) : null;
      if (known != null ? known : active(name)) {
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
    adoptedTokens.clear();
  }

  /**
   * Live-migrates the domain to {@code target.uri()}: {@code p2p} (VIR_MIGRATE_PEER2PEER, this libvirtd dials the
   * target's) or {@code client} (this driver opens the target connection itself). A persistent domain is defined
   * on the target and undefined here. The new token is written into the live metadata first, so it travels with
   * the guest, and again on the target (client mode). Aborted after {@code migrate_timeout}; progress every
   * {@value #PROGRESS_EVERY_MS} ms. Not under this object's monitor: job info and abort run while it blocks.
   */
  @Override
  public void migrate(ResourceSpec spec, long token, Migration target) throws ResourceException {
    String id = spec.id();
    MigrationPlan plan = MigrationPlan.of(spec, target);
    String name = plan.name();
    Domain domain;
    long flags = MIGRATE_LIVE;
    try {
      synchronized (this) {
        domain = lookup(name);
        if (domain == null || domain.isActive() == 0) {
          throw new ResourceException("resource " + id + ": domain " + name + " is not running here, nothing to migrate");
        }
        if (domain.isPersistent() == 1) flags |= MIGRATE_PERSIST_DEST | MIGRATE_UNDEFINE_SOURCE;
        adoptedTokens.remove(id); // whatever comes of it, the core decides the token it runs under from now
        recordToken(domain, id, token, target.node(), AFFECT_LIVE);
      }
    } catch (LibvirtException e) {
      throw new ResourceException("resource " + id + ": cannot prepare the migration of " + name + ": "
          + e.getMessage(), e);
    }
    long t0 = System.nanoTime();
    MigrationWatch watch = new MigrationWatch(id, domain, target, plan, t0);
    target.progress().accept("live migration of " + name + " to " + target.node() + " (" + plan.mode() + ") started");
    try {
      plan.carryOut(domain, flags, target, id, token);
    } catch (LibvirtException e) {
      boolean stillHere;
      try {
        stillHere = active(name);
      } catch (IllegalStateException unknown) {
        stillHere = true;
      }
      plan.failed(id, target, watch.timedOut(), e, stillHere);
    } finally {
      watch.close();
    }
    synchronized (this) {
      domains.remove(id);
      adoptedTokens.remove(id);
      eventActive.put(name, false);
      pending.remove(name);
    }
    target.progress().accept(String.format(Locale.ROOT, "live migration of %s to %s done in %.1fs", name,
        target.node(), (System.nanoTime() - t0) / 1e9));
  }

  /** The domain, or null if libvirt does not know it. */
  private synchronized Domain lookup(String name) throws LibvirtException {
    try {
      return conn().domainLookupByName(name);
    } catch (LibvirtException e) {
      if (e.getError() != null && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public synchronized void close() throws ResourceException {
    if (connect == null) return;
    try {
      Connect c = connect;
      connect = null;
      LibvirtConnections.close(c, listener);
    } catch (LibvirtException e) {
      throw new ResourceException("cannot close libvirt connection " + uri + ": " + e.getMessage(), e);
    }
  }
}
