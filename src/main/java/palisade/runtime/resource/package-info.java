/**
 * Resource drivers behind {@link palisade.runtime.resource.ResourceDriver}: plain processes
 * ({@link palisade.runtime.resource.ProcessResourceDriver}) and libvirt domains
 * ({@link palisade.runtime.resource.LibvirtResourceDriver}). Blocking; callers own the threads.
 */
package palisade.runtime.resource;
