/**
 * Watchdog drivers behind {@link palisade.runtime.watchdog.WatchdogDevice}: the kernel watchdog
 * ({@link palisade.runtime.watchdog.LinuxWatchdog}), a supervising process that resets the node's
 * cgroup and process group ({@link palisade.runtime.watchdog.WatchdogSupervisor}, fed only by its own child over
 * a peer-checked socket, with {@link palisade.runtime.watchdog.ProcessWatchdogClient}, whose every call has a
 * deadline), and
 * {@link palisade.runtime.watchdog.NoWatchdog} for power-fenced nodes.
 */
package palisade.runtime.watchdog;
