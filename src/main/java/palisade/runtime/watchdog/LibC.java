package palisade.runtime.watchdog;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The few libc calls Java does not offer: ioctl on a watchdog fd, signals to process groups, and a Unix socket
 * server whose peers' credentials (SO_PEERCRED: pid, uid, gid) can be read. Constants are Linux x86_64/aarch64.
 */
interface LibC extends Library {
  LibC INSTANCE = Native.load("c", LibC.class);

  int O_WRONLY = 1;
  int O_CLOEXEC = 0x80000;
  int SIGKILL = 9;
  int SIGTERM = 15;
  int EINTR = 4;
  int ESRCH = 3;
  int EAGAIN = 11;
  int AF_UNIX = 1;
  int SOCK_STREAM = 1;
  int SOCK_CLOEXEC = 0x80000;
  int SOL_SOCKET = 1;
  int SO_PEERCRED = 17;
  short POLLIN = 1;
  int SHUT_RDWR = 2;
  /** send(2) flag: a peer that went away is an error, not a SIGPIPE. */
  int MSG_NOSIGNAL = 0x4000;

  int open(String path, int flags) throws LastErrorException;

  /** ioctl is variadic in C; one pointer argument after the request is how JNA calls it here. */
  int ioctl(int fd, NativeLong request, IntByReference argument) throws LastErrorException;

  NativeLong write(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

  NativeLong read(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  /** kill(2); a negative pid signals that process group. */
  int kill(int pid, int signal) throws LastErrorException;

  int socket(int domain, int type, int protocol) throws LastErrorException;

  /** bind(2) with a struct sockaddr_un laid out in a byte array (family, then the NUL-terminated path). */
  int bind(int fd, byte[] address, int length) throws LastErrorException;

  int listen(int fd, int backlog) throws LastErrorException;

  int accept4(int fd, Pointer address, Pointer length, int flags) throws LastErrorException;

  /** getsockopt(2); for SO_PEERCRED the value is a struct ucred {pid, uid, gid}, three ints. */
  int getsockopt(int fd, int level, int name, int[] value, IntByReference length) throws LastErrorException;

  /** poll(2) on an array of struct pollfd {int fd; short events; short revents} laid out in bytes. */
  int poll(byte[] fds, NativeLong count, int timeoutMs) throws LastErrorException;

  int shutdown(int fd, int how) throws LastErrorException;

  NativeLong send(int fd, byte[] buffer, NativeLong count, int flags) throws LastErrorException;
}
