package palisade.runtime.store;

import java.io.IOException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.CuratorEventType;
import org.apache.curator.framework.api.CuratorListener;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * Makes a Curator client's ZooKeeper handles, and none once the client is closing. Curator resets its handle (a
 * new ZooKeeper) when an operation finds the connection timed out; an operation still running while the client
 * closes can do that after the close, and the new handle then dials the store for ever with nobody to close it (in
 * a long-lived process, with credentials that may be gone by then). Refusing is enough: the operation fails, as it
 * would have a moment later.
 */
final class ClientHandles implements ZookeeperFactory, CuratorListener {
  private volatile boolean closing;

  /** See {@link ZkStore#newClient}. */
  static CuratorFramework newClient(String connectString, String cluster, Credential credential,
      java.util.function.UnaryOperator<org.apache.curator.framework.CuratorFrameworkFactory.Builder> tune) {
    ClientHandles handles = new ClientHandles();
    // No ensemble tracker: it would replace the connect string with the membership's client addresses after a
    // reconfiguration, and a daemon dials its own peer only (fate-sharing).
    CuratorFramework client = tune.apply(org.apache.curator.framework.CuratorFrameworkFactory.builder()
        .connectString(connectString).namespace("palisade/" + cluster).zkClientConfig(credential.clientConfig())
        .aclProvider(StoreAcl.INSTANCE).ensembleTracker(false).zookeeperFactory(handles)).build();
    client.getCuratorListenable().addListener(handles);
    return client;
  }

  @Override
  public ZooKeeper newZooKeeper(String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly)
      throws Exception {
    return newZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly, new ZKClientConfig());
  }

  @Override
  public ZooKeeper newZooKeeper(String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly,
      ZKClientConfig config) throws Exception {
    if (closing) throw new IOException("the store client is closed");
    // ZooKeeperAdmin, as Curator's own factory makes: `store peer` reconfigures the ensemble through it.
    return new ZooKeeperAdmin(connectString, sessionTimeout, watcher, canBeReadOnly, config);
  }

  /** Curator tells its listeners first thing in close(), before it closes the current handle. */
  @Override
  public void eventReceived(CuratorFramework client, CuratorEvent event) {
    if (event.getType() == CuratorEventType.CLOSING) closing = true;
  }
}
