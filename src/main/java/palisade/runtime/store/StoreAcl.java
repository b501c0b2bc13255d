package palisade.runtime.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * The ACL of every Palisade znode, parents and namespace root included (Curator asks this provider for each path
 * it creates): members and admins may do everything, viewers may read; nobody else may even read.
 */
public final class StoreAcl implements ACLProvider {
  public static final StoreAcl INSTANCE = new StoreAcl();
  // Not List.of: ZooKeeper asks the list whether it contains null, which List.of answers with an exception.
  public static final List<ACL> ACLS = Collections.unmodifiableList(new ArrayList<>(Arrays.asList(
      new ACL(Perms.ALL, new Id(PalisadeAuthProvider.SCHEME, "member")),
      new ACL(Perms.ALL, new Id(PalisadeAuthProvider.SCHEME, "admin")),
      new ACL(Perms.READ, new Id(PalisadeAuthProvider.SCHEME, "viewer")))));

  private StoreAcl() {}

  @Override
  public List<ACL> getDefaultAcl() {
    return ACLS;
  }

  @Override
  public List<ACL> getAclForPath(String path) {
    return ACLS;
  }
}
