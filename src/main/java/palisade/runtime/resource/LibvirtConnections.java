package palisade.runtime.resource;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.event.ConnectionCloseListener;
import org.libvirt.event.LifecycleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens and closes the connections whose callbacks libvirt calls from {@link LibvirtEventLoop}, so that no callback
 * outlives its JNA stub. libvirt-java keeps a connection's callbacks only in its Connect object, while libvirt calls
 * them for as long as the connection is open inside libvirt (which a close does not end while callbacks are still
 * registered): a Connect collected too early, or closed with its callbacks on, leaves libvirt calling freed memory
 * on the next event, and the JVM dies. So every open connection is held here until closed, and a close takes the
 * callbacks off first.
 */
final class LibvirtConnections {
  private static final Logger log = LoggerFactory.getLogger(LibvirtConnections.class);
  /** By identity: Connect.equals asks libvirt, which fails for a closed connection. */
  private static final Set<Connect> open = Collections.synchronizedSet(Collections.newSetFromMap(
      new IdentityHashMap<>()));

  private LibvirtConnections() {}

  /** A connection to URI whose domain lifecycle events go to EVENTS and whose loss to LOST. */
  static Connect open(String uri, LifecycleListener events, ConnectionCloseListener lost) throws LibvirtException {
    LibvirtEventLoop.ensureRunning();
    Connect c = new Connect(uri);
    // libvirt prints every error to stderr by default, including the expected "domain not found" of a lookup;
    // errors reach us as exceptions anyway, so silence the printing.
    QuietLibvirtErrors.on(c);
    c.addLifecycleListener(events);
    c.registerCloseListener(lost);
    open.add(c);
    return c;
  }

  /** Takes C's callbacks off, then closes it. */
  static void close(Connect c, LifecycleListener events) throws LibvirtException {
    try {
      c.removeLifecycleListener(events);
      c.unregisterCloseListener();
    } catch (LibvirtException e) {
      log.debug("libvirt: callbacks not taken off before the close: {}", e.getMessage()); // a dead link
    }
    c.close();
    open.remove(c);
  }

  /** After C was lost: it delivers no more events. */
  static void lost(Connect c) {
    open.remove(c);
  }
}
