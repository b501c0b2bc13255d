/**
 * Reading what users hand us: {@link palisade.io.TextFile} reads a scenario, a daemon configuration, a password or a
 * state file with a size limit, as UTF-8, refusing devices, FIFOs and binary content before any parsing starts. A
 * leaf: it names no other Palisade package, so every layer except the pure core (which does no I/O) may use it.
 */
package palisade.io;
