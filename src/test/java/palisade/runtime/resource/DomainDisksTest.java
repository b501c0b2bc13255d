package palisade.runtime.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The disks a libvirt domain's XML names become the resource's disks; odd XML is refused, never fetched from. */
class DomainDisksTest {
  @Test
  void fileDevAndVolumeSourcesInDocumentOrderWithoutRepeats() {
    String xml = "<domain><devices><disk><source file='/a.qcow2'/></disk><disk><source dev='/dev/sdb'/></disk>"
        + "<disk><source pool='p' volume='v'/></disk><disk><source file='/a.qcow2'/></disk>"
        + "<disk type='network'><source protocol='rbd' name='pool/img'/></disk><disk device='cdrom'/></devices>"
        + "</domain>";
    assertThat(DomainDisks.of(Map.of("xml", xml))).containsExactly("/a.qcow2", "/dev/sdb", "p/v");
    assertThat(DomainDisks.of(Map.of("domain", "vm1"))).isEmpty(); // no XML given: the operator lists them
  }

  @Test
  void badXmlADoctypeAnotherRootOrABadNameIsRefusedNamingTheOption() {
    assertThatThrownBy(() -> DomainDisks.of(Map.of("xml", "<domain><devices>"))).hasMessageStartingWith(
        "option xml: not valid XML");
    assertThatThrownBy(() -> DomainDisks.of(Map.of("xml", "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        + "<domain>&x;</domain>"))).hasMessageStartingWith("option xml: not valid XML");
    assertThatThrownBy(() -> DomainDisks.of(Map.of("xml", "<network/>"))).hasMessage(
        "option xml: not a domain XML (its root is <network>)");
    assertThatThrownBy(() -> DomainDisks.of(Map.of("xml", "<domain><devices><disk><source file='/x/../y'/>"
        + "</disk></devices></domain>"))).hasMessage("option xml: disk '/x/../y': has a '..' path step");
    assertThatThrownBy(() -> DomainDisks.of(Map.of("xml_file", "/nonexistent/vm.xml"))).hasMessageContaining(
        "option xml_file (/nonexistent/vm.xml): cannot read it here");
  }
}
