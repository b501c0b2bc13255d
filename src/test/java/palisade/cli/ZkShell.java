package palisade.cli;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.Stat;

/**
 * A plain ZooKeeper client, like zkCli, for tests that run it as another user: {@code ZkShell HOST:PORT get|set
 * PATH}. TLS only when the usual zookeeper.* system properties ask for it. "set" writes the znode's own data back
 * (a write that changes nothing, so a test can try it on /config). Exit 0 done, 3 never connected, 4 refused by the
 * store (the KeeperException code is printed).
 */
public final class ZkShell {
  private ZkShell() {}

  public static void main(String[] args) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(args[0], 4_000, e -> {
      if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
    }, new ZKClientConfig());
    int rc;
    try {
      if (!connected.await(8, TimeUnit.SECONDS)) {
        System.out.println("NOT CONNECTED");
        rc = 3;
      } else {
        Stat stat = new Stat();
        byte[] data = zk.getData(args[2], false, stat);
        if (args[1].equals("get")) {
          System.out.println(new String(data, StandardCharsets.UTF_8));
        } else {
          zk.setData(args[2], data, stat.getVersion());
          System.out.println("SET version " + (stat.getVersion() + 1));
        }
        rc = 0;
      }
    } catch (KeeperException e) {
      System.out.println("REFUSED " + e.code());
      rc = 4;
    } finally {
      zk.close(2_000);
    }
    System.exit(rc);
  }
}
