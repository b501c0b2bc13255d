package palisade.runtime.resource;

import static palisade.runtime.resource.LibvirtResourceDriver.ABORT_RETRY_MS;
import static palisade.runtime.resource.LibvirtResourceDriver.PROGRESS_EVERY_MS;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.libvirt.Domain;
import org.libvirt.DomainJobInfo;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import palisade.runtime.resource.ResourceDriver.Migration;

/**
 * Watches one running live migration from its own thread: reports progress every
 * {@value LibvirtResourceDriver#PROGRESS_EVERY_MS} ms and aborts the job once the timeout has passed. Closing it
 * stops the thread.
 */
final class MigrationWatch implements AutoCloseable {
  /** The driver's logger: these lines belong to its story. */
  private static final Logger log = LoggerFactory.getLogger(LibvirtResourceDriver.class);

  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "libvirt-migrate-watch");
    t.setDaemon(true);
    return t;
  });

  MigrationWatch(String id, Domain source, Migration target, MigrationPlan plan, long t0) {
    watch.scheduleAtFixedRate(() -> progress(source, target, t0), PROGRESS_EVERY_MS, PROGRESS_EVERY_MS,
        TimeUnit.MILLISECONDS);
    // On expiry, abort the job, and again until the call returns: an abort between the migration's phases finds no
    // job to abort yet.
    watch.scheduleAtFixedRate(() -> {
      boolean first = timedOut.compareAndSet(false, true);
      try {
        source.abortJob();
        target.progress().accept("live migration of " + plan.name() + " to " + target.node() + " timed out after "
            + plan.timeoutS() + "s: aborted");
      } catch (LibvirtException e) {
        if (first) log.warn("resource {}: cannot abort the migration job yet: {}", id, e.getMessage());
      }
    }, plan.timeoutS() * 1000, ABORT_RETRY_MS, TimeUnit.MILLISECONDS);
  }

  /** True once the timeout has passed and the job was (or is being) aborted. */
  boolean timedOut() {
    return timedOut.get();
  }

  @Override
  public void close() {
    watch.shutdownNow();
  }

  private static void progress(Domain domain, Migration target, long t0) {
    try {
      DomainJobInfo job = domain.getJobInfo();
      if (job.getType() == 0) return; // VIR_DOMAIN_JOB_NONE: not started yet or over
      double elapsed = (System.nanoTime() - t0) / 1e9;
      if (job.getMemTotal() == 0) {
        // The target is still being prepared (its QEMU starting): no memory is on the way yet.
        target.progress().accept(String.format(Locale.ROOT, "migrating to %s: preparing the target, %.1fs",
            target.node(), elapsed));
        return;
      }
      target.progress().accept(String.format(Locale.ROOT,
          "migrating to %s: %d of %d MiB of memory copied, %d MiB left, %.1fs", target.node(),
          job.getMemProcessed() >> 20, job.getMemTotal() >> 20, job.getMemRemaining() >> 20, elapsed));
    } catch (LibvirtException | RuntimeException e) {
      log.info("migration to {}: no job info: {}", target.node(), e.getMessage());
    }
  }
}
