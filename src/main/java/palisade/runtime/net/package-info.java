/**
 * Network fault injection for tests with real daemons: {@link palisade.runtime.net.FaultProxy}
 * forwards loopback TCP links and cuts, heals or slows them on demand. Loopback (127.0.0.0/8) only.
 */
package palisade.runtime.net;
