package palisade.runtime.watchdog;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A listening Unix stream socket made with libc (JNA), because the JDK's channels do not tell the peer's pid: every
 * accepted connection carries its peer's SO_PEERCRED (pid, uid, gid) as the kernel recorded it at connect time.
 * Every descriptor is close-on-exec; the JDK's process launcher also closes every descriptor above 2 in a child
 * before exec (childproc.c, closeDescriptors), so no child of the supervisor inherits the socket either way.
 */
final class UnixServer implements AutoCloseable {
  static final int BACKLOG = 16;
  /** sizeof(struct sockaddr_un.sun_path). */
  static final int PATH_MAX = 108;
  private int fd;

  private UnixServer(int fd) {
    this.fd = fd;
  }

  /** The peer as the kernel saw it when it connected. */
  record Peer(int pid, int uid, int gid) {
    @Override
    public String toString() {
      return "pid " + pid + " uid " + uid + " gid " + gid;
    }
  }

  static UnixServer bind(Path path) throws IOException {
    byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
    if (name.length >= PATH_MAX) {
      throw new IOException("socket path too long for a Unix socket (" + name.length + " bytes, max "
          + (PATH_MAX - 1) + "): " + path);
    }
    byte[] address = new byte[2 + name.length + 1];
    ByteBuffer.wrap(address).order(ByteOrder.nativeOrder()).putShort((short) LibC.AF_UNIX).put(name);
    int fd;
    try {
      fd = LibC.INSTANCE.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw new IOException("socket(AF_UNIX) failed: errno " + e.getErrorCode(), e);
    }
    try {
      LibC.INSTANCE.bind(fd, address, address.length);
      LibC.INSTANCE.listen(fd, BACKLOG);
    } catch (LastErrorException e) {
      closeQuietly(fd);
      throw new IOException("cannot listen on " + path + ": errno " + e.getErrorCode(), e);
    }
    return new UnixServer(fd);
  }

  /** Waits up to timeoutMs for a connection: null on timeout. */
  Connection accept(int timeoutMs) throws IOException {
    int listening;
    synchronized (this) {
      listening = fd;
    }
    if (listening < 0) {
      throw new IOException("server closed");
    }
    if (!readable(listening, timeoutMs)) {
      return null;
    }
    int client;
    try {
      client = LibC.INSTANCE.accept4(listening, null, null, LibC.SOCK_CLOEXEC);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == LibC.EAGAIN || e.getErrorCode() == LibC.EINTR) {
        return null;
      }
      throw new IOException("accept failed: errno " + e.getErrorCode(), e);
    }
    int[] cred = new int[3];
    try {
      LibC.INSTANCE.getsockopt(client, LibC.SOL_SOCKET, LibC.SO_PEERCRED, cred, new IntByReference(12));
    } catch (LastErrorException e) {
      closeQuietly(client);
      throw new IOException("SO_PEERCRED failed: errno " + e.getErrorCode(), e);
    }
    return new Connection(client, new Peer(cred[0], cred[1], cred[2]));
  }

  private static boolean readable(int fd, int timeoutMs) throws IOException {
    byte[] pollfd = new byte[8];
    ByteBuffer.wrap(pollfd).order(ByteOrder.nativeOrder()).putInt(fd).putShort(LibC.POLLIN);
    try {
      return LibC.INSTANCE.poll(pollfd, new NativeLong(1), timeoutMs) > 0;
    } catch (LastErrorException e) {
      if (e.getErrorCode() == LibC.EINTR) {
        return false;
      }
      throw new IOException("poll failed: errno " + e.getErrorCode(), e);
    }
  }

  @Override
  public synchronized void close() {
    if (fd >= 0) {
      closeQuietly(fd);
      fd = -1;
    }
  }

  static void closeQuietly(int fd) {
    try {
      LibC.INSTANCE.close(fd);
    } catch (LastErrorException e) {
      // nothing more to do with it
    }
  }

  /**
   * One accepted connection, read by one thread with blocking reads. {@link #shutdown()} from any thread wakes
   * that read (it then sees end of file); only the reading thread closes the descriptor, so a descriptor number
   * is never shut down after it was closed and reused.
   */
  static final class Connection implements AutoCloseable {
    static final int LINE_MAX = 128;
    private final Peer peer;
    private int fd;
    private final byte[] buffer = new byte[LINE_MAX];
    private int buffered;

    Connection(int fd, Peer peer) {
      this.fd = fd;
      this.peer = peer;
    }

    Peer peer() {
      return peer;
    }

    /** One line without its newline; null at end of file. */
    String readLine() throws IOException {
      while (true) {
        for (int i = 0; i < buffered; i++) {
          if (buffer[i] == '\n') {
            String line = new String(buffer, 0, i, StandardCharsets.US_ASCII);
            System.arraycopy(buffer, i + 1, buffer, 0, buffered - i - 1);
            buffered -= i + 1;
            return line;
          }
        }
        if (buffered == buffer.length) {
          throw new IOException("line longer than " + LINE_MAX + " bytes");
        }
        byte[] chunk = new byte[buffer.length - buffered];
        long n;
        try {
          n = LibC.INSTANCE.read(descriptor(), chunk, new NativeLong(chunk.length)).longValue();
        } catch (LastErrorException e) {
          if (e.getErrorCode() == LibC.EINTR) {
            continue;
          }
          throw new IOException("read failed: errno " + e.getErrorCode(), e);
        }
        if (n <= 0) {
          return null;
        }
        System.arraycopy(chunk, 0, buffer, buffered, (int) n);
        buffered += (int) n;
      }
    }

    void writeLine(String line) throws IOException {
      byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
      int off = 0;
      while (off < bytes.length) {
        byte[] rest = java.util.Arrays.copyOfRange(bytes, off, bytes.length);
        try {
          off += (int) LibC.INSTANCE.send(descriptor(), rest, new NativeLong(rest.length), LibC.MSG_NOSIGNAL)
              .longValue();
        } catch (LastErrorException e) {
          if (e.getErrorCode() != LibC.EINTR) {
            throw new IOException("write failed: errno " + e.getErrorCode(), e);
          }
        }
      }
    }

    private synchronized int descriptor() throws IOException {
      if (fd < 0) {
        throw new IOException("connection closed");
      }
      return fd;
    }

    /** Ends the connection from any thread: the reader sees end of file. */
    synchronized void shutdown() {
      if (fd >= 0) {
        try {
          LibC.INSTANCE.shutdown(fd, LibC.SHUT_RDWR);
        } catch (LastErrorException e) {
          // already gone
        }
      }
    }

    @Override
    public synchronized void close() {
      if (fd >= 0) {
        closeQuietly(fd);
        fd = -1;
      }
    }
  }
}
