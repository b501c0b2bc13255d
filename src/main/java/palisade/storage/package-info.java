/**
 * Token-checked shared storage (DESIGN "Fencing tokens"): {@link palisade.storage.SharedDirStorage} keeps disk
 * images and storage metadata in a directory standing in for a shared storage domain (an NFS mount in production)
 * and refuses any write that carries a token older than the newest it has seen. A leaf: it names no other Palisade
 * package, so resource processes, the SPM hook, the command line and user code may all use it.
 */
package palisade.storage;
