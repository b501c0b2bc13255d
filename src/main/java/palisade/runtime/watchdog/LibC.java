package palisade.runtime.watchdog;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.ptr.IntByReference;

/** The few libc calls Java does not offer: ioctl on a watchdog fd and signals to process groups. */
interface LibC extends Library {
  LibC INSTANCE = Native.load("c", LibC.class);

  int O_WRONLY = 1;
  int O_CLOEXEC = 0x80000;
  int SIGKILL = 9;
  int SIGTERM = 15;
  int ESRCH = 3;

  int open(String path, int flags) throws LastErrorException;

  /** ioctl is variadic in C; one pointer argument after the request is how JNA calls it here. */
  int ioctl(int fd, NativeLong request, IntByReference argument) throws LastErrorException;

  NativeLong write(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  /** kill(2); a negative pid signals that process group. */
  int kill(int pid, int signal) throws LastErrorException;
}
