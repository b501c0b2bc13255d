/**
 * Watchdog drivers behind {@link palisade.runtime.watchdog.WatchdogDevice}: the kernel watchdog
 * ({@link palisade.runtime.watchdog.LinuxWatchdog}), a supervising process that resets the node's
 * process group ({@link palisade.runtime.watchdog.WatchdogSupervisor} with
 * {@link palisade.runtime.watchdog.ProcessWatchdogClient}), and
 * {@link palisade.runtime.watchdog.NoWatchdog} for power-fenced nodes.
 */
package palisade.runtime.watchdog;
