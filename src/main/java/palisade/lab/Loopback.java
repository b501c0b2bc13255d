package palisade.lab;

import java.net.Inet4Address;
import java.net.InetSocketAddress;

/** The network-safety rule of the fault proxy: it only ever binds to or dials 127.0.0.0/8. */
final class Loopback {
  private Loopback() {}

  static InetSocketAddress require(String what, InetSocketAddress address) {
    if (address == null) {
      throw new IllegalArgumentException(what + " address is missing");
    }
    if (address.isUnresolved()) {
      throw new IllegalArgumentException(
          what + " address " + address + " is unresolved; only literal 127.0.0.0/8 addresses are allowed");
    }
    // Inet4Address only: the rule is 127.0.0.0/8, not "any loopback" (::1 is refused too).
    if (!(address.getAddress() instanceof Inet4Address) || !address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(
          what + " address " + address + " is not in 127.0.0.0/8; FaultProxy only uses loopback");
    }
    return address;
  }
}
