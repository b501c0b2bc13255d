/**
 * The lab: a local cluster of real daemons on loopback (127.0.0.0/8) for tests, the demo and benchmarks, with the
 * faults a test injects ({@link palisade.lab.FaultProxy} links, cuts and delays) and mock hardware (a Redfish mock
 * BMC and its power switches). Nothing in the product depends on it.
 */
package palisade.lab;
