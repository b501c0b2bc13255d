package palisade.runtime.resource;

import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

/**
 * A libvirt domain's load for reporting: {@code virDomainGetInfo}'s cpuTime (nanoseconds of CPU used by every vCPU
 * and the hypervisor thread so far) and memory (KiB currently allotted to the guest: what the host has given it,
 * which is what placement weighs; balloon statistics would tell what the guest uses of it).
 */
final class LibvirtUsage {
  private LibvirtUsage() {}

  interface Lookup {
    Domain domain(String name) throws LibvirtException;
  }

  static SortedMap<String, ResourceSample> samples(SortedSet<String> running, Map<String, String> domains,
      Lookup lookup) {
    SortedMap<String, ResourceSample> out = new TreeMap<>();
    for (String id : running) {
      try {
        Domain d = lookup.domain(domains.getOrDefault(id, id));
        if (d == null) continue;
        DomainInfo info = d.getInfo();
        out.put(id, new ResourceSample(Math.max(0, info.cpuTime), Math.max(0, info.memory) * 1024));
      } catch (LibvirtException e) {
        // gone between listing and reading, or libvirt busy: left out of this round's report
      }
    }
    return out;
  }
}
