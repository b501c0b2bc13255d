package palisade.runtime.resource;

import org.libvirt.Connect;
import org.libvirt.ErrorCallback;
import org.libvirt.LibvirtException;

/**
 * The one callback that silences libvirt's printing of errors to stderr (they reach us as exceptions anyway,
 * including the expected "domain not found" of a lookup). It must stay reachable for as long as any connection may
 * report an error: libvirt-java hands the callback to libvirt through JNA without keeping a reference, so a
 * callback made per connection is collected, its native trampoline freed, and libvirt's next error calls freed
 * memory and kills the JVM. Hence one constant, never a fresh instance.
 */
public final class QuietLibvirtErrors {
  private static final ErrorCallback QUIET = new ErrorCallback();

  private QuietLibvirtErrors() {}

  /** Silences CONNECTION's error printing. */
  public static void on(Connect connection) throws LibvirtException {
    connection.setConnectionErrorCallback(QUIET);
  }

  /** Silences the printing of errors outside any connection (a refused open, for example), process-wide. */
  public static void everywhere() throws LibvirtException {
    Connect.setErrorCallback(QUIET);
  }
}
