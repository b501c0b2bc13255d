package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import palisade.core.StorePaths;

/** Every tree of the store is classified for the view on purpose: mirrored by all, by full views, or by none. */
class ViewTreesTest {
  @Test
  void everyTopLevelTreeIsInExactlyOneList() throws Exception {
    List<String> known = new ArrayList<>();
    for (Field f : StorePaths.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) known.add((String) f.get(null));
    }
    assertThat(known).as("StorePaths' constants").contains(StorePaths.CONFIG, StorePaths.MANAGER_STATE);
    known.add(ShutdownRequest.PARENT);
    known.add(StorePeers.OFFERS);
    known.addAll(ZkStore.LAYOUT);
    for (String path : known) {
      String top = ViewTrees.top(path);
      long in = Stream.of(ViewTrees.BASE, ViewTrees.CLUSTER_WIDE, ViewTrees.NOT_MIRRORED)
          .filter(l -> l.contains(top)).count();
      assertThat(in).as("lists classifying %s (tree %s)", path, top).isEqualTo(1);
    }
    // and the lists hold top-level trees only, each once
    List<String> all = new ArrayList<>(ViewTrees.BASE);
    all.addAll(ViewTrees.CLUSTER_WIDE);
    all.addAll(ViewTrees.NOT_MIRRORED);
    assertThat(all).allMatch(p -> ViewTrees.top(p).equals(p)).doesNotHaveDuplicates();
    assertThat(new TreeSet<>(all)).containsAll(known.stream().map(ViewTrees::top).toList());
  }

  @Test
  void pathsAreToldApart() {
    assertThat(ViewTrees.top("/manager/state/nodes/3/node1")).isEqualTo("/manager");
    assertThat(ViewTrees.top("/config")).isEqualTo("/config");
    assertThat(ViewTrees.nodeRecord(StorePaths.node("node1"))).isTrue();
    assertThat(ViewTrees.nodeRecord(StorePaths.NODES)).isFalse();
    assertThat(ViewTrees.nodeRecord(StorePaths.NODES + "/")).isFalse();
    assertThat(ViewTrees.nodeRecord(StorePaths.node("node1") + "/x")).isFalse();
    assertThat(ViewTrees.nodeRecord(StorePaths.usage("node1"))).isFalse();
    assertThat(ViewTrees.clusterWide(StorePaths.usage("node1"))).isTrue();
    assertThat(ViewTrees.clusterWide(StorePaths.NODES)).isFalse();
    assertThat(ViewTrees.clusterWide(StorePaths.MANAGER_STATE)).isFalse();
    assertThat(ViewTrees.base(StorePaths.FENCE_HISTORY)).isTrue();
    assertThat(ViewTrees.base("/events/e-0000000001")).isFalse();
    assertThat(ViewTrees.strip("/palisade/test", "/palisade/test/nodes/a")).isEqualTo("/nodes/a");
    assertThat(ViewTrees.strip("/palisade/test", "/palisade/test")).isEqualTo("/");
  }
}
