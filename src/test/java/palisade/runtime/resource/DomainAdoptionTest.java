package palisade.runtime.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A new daemon's libvirt driver adopts the running domains that carry our metadata (against libvirt's in-memory
 * test driver, whose test:///default state every connection of this process shares: it stands for the node's
 * libvirtd that outlives a daemon restart).
 */
class DomainAdoptionTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String XML = "<domain type='test'><name>%s</name>"
      + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>";

  private static String fresh(String prefix) {
    return prefix + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  }

  @Test
  void parsesTheAssignmentWithAndWithoutTheResourceId() {
    assertThat(DomainMetadata.parse("<palisade:assignment xmlns:palisade=\"urn:palisade:resource:1\" "
        + "resource=\"vm:1&amp;x\" token=\"42\" node=\"node-2\"/>", "dom"))
        .isEqualTo(new DomainMetadata.Assignment("vm:1&x", 42, "node-2"));
    assertThat(DomainMetadata.parse("<assignment token='7' node='n1'/>", "dom"))
        .as("metadata written before the resource id: the domain name is the id")
        .isEqualTo(new DomainMetadata.Assignment("dom", 7, "n1"));
    assertThat(DomainMetadata.parse("<assignment node='n1'/>", "dom")).isNull();
    assertThat(DomainMetadata.parse(null, "dom")).isNull();
  }

  @Test
  void theTokenCountsOnlyWhenTheMetadataNamesThisNode() {
    var a = new DomainMetadata.Assignment("vm:1", 9, "node-2");
    assertThat(DomainAdoption.choose(a, "d", "node-2").token()).isEqualTo(9);
    assertThat(DomainAdoption.choose(a, "d", "node-1").token())
        .as("a failed migration leaves the target's name and the migration's token: unknown, kept if assigned")
        .isEqualTo(-1);
  }

  @Test
  void aNewDriverAdoptsTheRunningDomainsOfAnEarlierOneWithTheirToken() throws Exception {
    String name = fresh("adopt");
    String other = fresh("notours");
    ResourceSpec spec = new ResourceSpec("vm:201", "libvirt", Map.of("domain", name, "xml", XML.formatted(name)));
    try (LibvirtResourceDriver earlier = new LibvirtResourceDriver(LibvirtResourceDriver.DEFAULT_URI, "node-1")) {
      earlier.start(spec, 77, "node-1");
    }
    // A running domain without our metadata (an operator's) is not adopted.
    org.libvirt.Connect operator = new org.libvirt.Connect(LibvirtResourceDriver.DEFAULT_URI);
    org.libvirt.Domain theirs = operator.domainCreateXML(XML.formatted(other), 0);
    try (LibvirtResourceDriver later = new LibvirtResourceDriver(LibvirtResourceDriver.DEFAULT_URI, "node-1")) {
      assertThat(later.running()).contains("vm:201").doesNotContain(other);
      theirs.destroy();
      operator.close();
      assertThat(later.adopted()).containsEntry("vm:201", "domain " + name + ", token 77");
      assertThat(later.token("vm:201")).isEqualTo(77);
      later.start(spec, 78, "node-1"); // the core's start under a newer token: taken over, the token is the core's
      assertThat(later.token("vm:201")).isEqualTo(-1);
      assertThat(later.recordedAssignment("vm:201")).contains("resource=\"vm:201\"").contains("token=\"78\"");
      later.stop("vm:201", TIMEOUT);
      assertThat(later.running()).doesNotContain("vm:201");
    }
    try (LibvirtResourceDriver another = new LibvirtResourceDriver(LibvirtResourceDriver.DEFAULT_URI, "node-1")) {
      assertThat(another.running()).as("a stopped domain is not adopted").doesNotContain("vm:201");
    }
  }
}
