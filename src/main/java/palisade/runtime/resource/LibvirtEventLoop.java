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
  /**
   * Every connection opened and not yet closed. libvirt-java keeps a connection's event callbacks only in the
   * Connect object, and libvirt calls them from this loop for as long as the connection is open: a Connect dropped
   * without a close would be collected, its JNA stubs freed, and the next event would call freed memory (a JVM
   * crash). Held here, a forgotten close costs a connection, never the process.
   */
  private static final java.util.Set<org.libvirt.Connect> open = // by identity: Connect.equals asks libvirt
      java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));

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

  static void hold(org.libvirt.Connect c) {
    open.add(c);
  }

  /** After its close (or its loss): libvirt calls its callbacks no more. */
  static void release(org.libvirt.Connect c) {
    open.remove(c);
  }

  /** Whether events are delivered (a driver that sees false relies on direct checks only). */
  static synchronized boolean running() {
    return thread != null && thread.isAlive();
  }
}
