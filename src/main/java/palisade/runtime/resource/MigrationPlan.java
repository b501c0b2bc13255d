package palisade.runtime.resource;

import static palisade.runtime.resource.LibvirtResourceDriver.AFFECT_CONFIG;
import static palisade.runtime.resource.LibvirtResourceDriver.AFFECT_LIVE;
import static palisade.runtime.resource.LibvirtResourceDriver.MIGRATE_PEER2PEER;

import java.util.Locale;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import palisade.runtime.resource.ResourceDriver.Migration;

/**
 * A live migration's options, checked before anything is touched.
 *
 * @param name the domain ({@code domain}, default the resource id)
 * @param mode {@code p2p} or {@code client} ({@code migration})
 * @param timeoutS seconds after which the job is aborted ({@code migrate_timeout})
 * @param migrateUri where the migration stream goes ({@code migrate_uri}), or null
 * @param bandwidthMiBs at most this many MiB/s on the migration stream ({@code migrate_bandwidth}); 0: no limit
 */
record MigrationPlan(String name, String mode, long timeoutS, String migrateUri, long bandwidthMiBs) {
  /** The driver's logger: these lines belong to its story. */
  private static final Logger log = LoggerFactory.getLogger(LibvirtResourceDriver.class);

  static MigrationPlan of(ResourceSpec spec, Migration target) throws ResourceException {
    String id = spec.id();
    String name = spec.option("domain").orElse(id);
    if (target.uri() == null || target.uri().isBlank()) {
      throw new ResourceException("resource " + id + ": node " + target.node() + " has no libvirt_uri to migrate to");
    }
    String mode = spec.option("migration").orElse("p2p").toLowerCase(Locale.ROOT);
    if (!mode.equals("p2p") && !mode.equals("client")) {
      throw new ResourceException("resource " + id + ": option migration: '" + mode + "' must be p2p or client");
    }
    long timeoutS;
    try {
      timeoutS = Long.parseLong(spec.option("migrate_timeout")
          .orElse(Long.toString(LibvirtResourceDriver.DEFAULT_MIGRATE_TIMEOUT_S)));
      if (timeoutS <= 0) throw new NumberFormatException();
    } catch (NumberFormatException e) {
      throw new ResourceException("resource " + id + ": option migrate_timeout: '"
          + spec.option("migrate_timeout").orElse("") + "' must be a positive number of seconds");
    }
    long bandwidth;
    try {
      bandwidth = Long.parseLong(spec.option("migrate_bandwidth").orElse("0"));
      if (bandwidth < 0) throw new NumberFormatException();
    } catch (NumberFormatException e) {
      throw new ResourceException("resource " + id + ": option migrate_bandwidth: '"
          + spec.option("migrate_bandwidth").orElse("") + "' must be MiB/s, a whole number (0: no limit)");
    }
    return new MigrationPlan(name, mode, timeoutS, spec.option("migrate_uri").orElse(null), bandwidth);
  }

  /**
   * Moves DOMAIN (whose live metadata already carries TOKEN) to the target, blocking until libvirt's migration job
   * ends: {@code client} opens the target connection here, {@code p2p} has the source libvirtd dial it.
   */
  void carryOut(Domain domain, long flags, Migration target, String id, long token) throws LibvirtException {
    Connect dest = null;
    try {
      if (mode.equals("client")) {
        dest = new Connect(target.uri());
        QuietLibvirtErrors.on(dest);
        Domain moved = domain.migrate(dest, flags, null, migrateUri, bandwidthMiBs);
        // The token travelled in the live metadata; the persistent definition there gets it too.
        DomainMetadata.recordToken(moved, id, token, target.node(),
            AFFECT_LIVE | (moved.isPersistent() == 1 ? AFFECT_CONFIG : 0));
      } else {
        // The source libvirtd dials target.uri() itself (qemu+ssh / qemu+tls between hosts); the target's agent
        // rewrites the token with its node name when it takes the domain over (a start of a running domain).
        domain.migrateToURI(target.uri(), flags | MIGRATE_PEER2PEER, null, bandwidthMiBs);
      }
    } finally {
      if (dest != null) {
        try {
          dest.close();
        } catch (LibvirtException e) {
          log.debug("closing {}: {}", target.uri(), e.getMessage());
        }
      }
    }
  }

  /**
   * A failure is a promise that it still runs here (the core then keeps it here under a new token): throws. A
   * migration that failed late (say, in its finish phase) may have left the guest on the target instead: then it is
   * handed over as migrated (returns), and the target's agent finds it running there or starts it.
   */
  void failed(String id, Migration target, boolean timedOut, LibvirtException e, boolean stillHere)
      throws ResourceException {
    String why = timedOut ? "timed out after " + timeoutS + "s and was aborted" : "failed: " + e.getMessage();
    if (stillHere) {
      throw new ResourceException("resource " + id + ": live migration of " + name + " to " + target.node() + " "
          + why, e);
    }
    target.progress().accept("live migration of " + name + " to " + target.node() + " reported an error ("
        + e.getMessage() + ") but the domain no longer runs here: handed over to " + target.node());
  }
}
