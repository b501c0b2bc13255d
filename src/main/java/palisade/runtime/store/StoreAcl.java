package palisade.runtime.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import palisade.core.StorePaths;

/**
 * The ACL of every Palisade znode, parents and namespace root included (Curator asks this provider for each path
 * it creates): members and admins may do everything, viewers may read; nobody else may even read. One exception:
 * the notification settings ({@code /palisade/<cluster>/notify}, {@link #SECRET_ACLS}) hold a webhook URL and an SMTP
 * password, so viewers get nothing there.
 */
public final class StoreAcl implements ACLProvider {
  public static final StoreAcl INSTANCE = new StoreAcl();
  // Not List.of: ZooKeeper asks the list whether it contains null, which List.of answers with an exception.
  public static final List<ACL> ACLS = Collections.unmodifiableList(new ArrayList<>(Arrays.asList(
      new ACL(Perms.ALL, new Id(PalisadeAuthProvider.SCHEME, "member")),
      new ACL(Perms.ALL, new Id(PalisadeAuthProvider.SCHEME, "admin")),
      new ACL(Perms.READ, new Id(PalisadeAuthProvider.SCHEME, "viewer")))));

  /** For znodes holding secrets: members and admins all, viewers nothing. */
  public static final List<ACL> SECRET_ACLS = Collections.unmodifiableList(new ArrayList<>(Arrays.asList(
      new ACL(Perms.ALL, new Id(PalisadeAuthProvider.SCHEME, "member")),
      new ACL(Perms.ALL, new Id(PalisadeAuthProvider.SCHEME, "admin")))));

  private StoreAcl() {}

  /** Whether the full path (namespace included, as Curator hands it over) is a cluster's notification settings. */
  static boolean secret(String path) {
    String prefix = "/palisade/";
    if (path == null || !path.startsWith(prefix) || !path.endsWith(StorePaths.NOTIFY)) return false;
    String cluster = path.substring(prefix.length(), path.length() - StorePaths.NOTIFY.length());
    return !cluster.isEmpty() && cluster.indexOf('/') < 0;
  }

  @Override
  public List<ACL> getDefaultAcl() {
    return ACLS;
  }

  @Override
  public List<ACL> getAclForPath(String path) {
    return secret(path) ? SECRET_ACLS : ACLS;
  }
}
