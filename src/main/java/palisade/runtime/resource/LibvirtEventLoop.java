package palisade.runtime.resource;

import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's default event loop, once per process, on one daemon thread. It must be registered before a connection is
 * opened, or that connection never delivers domain events (libvirt binds its socket watch at open).
 */
final class LibvirtEventLoop {
  private static final Logger log = LoggerFactory.getLogger(LibvirtEventLoop.class);
  private static Thread thread;

  private LibvirtEventLoop() {}

  static synchronized void ensureRunning() throws LibvirtException {
    if (thread != null) return;
    Library.initEventLoop();
    thread = new Thread(() -> {
      try {
        Library.runEventLoop();
      } catch (LibvirtException e) {
        // Without events, drivers fall back to their direct checks (slower stops, same answers).
        log.error("libvirt event loop stopped: {}", e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "libvirt-event-loop");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether events are delivered (a driver that sees false relies on direct checks only). */
  static synchronized boolean running() {
    return thread != null && thread.isAlive();
  }
}
