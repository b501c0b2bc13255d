package palisade.web;

import java.util.function.Supplier;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credential;

/**
 * The web side's store handle (the daemon's node credential): opened at first use, closed with its owner. Once
 * closed it opens no other: a request or poller still running then would leave a client nobody closes.
 */
final class StoreReader implements Supplier<Admin>, AutoCloseable {
  private final DaemonConfig dc;
  private Admin admin;
  private boolean closed;

  StoreReader(DaemonConfig dc) {
    this.dc = dc;
  }

  @Override
  public synchronized Admin get() {
    if (closed) throw new Api.Unavailable("this node's API is stopping");
    if (admin == null) admin = new Admin(dc.connectString(), dc.cluster(), Credential.load(dc.storeCredential()));
    return admin;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (admin != null) admin.close();
    admin = null;
  }
}
