package palisade.cli;

import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Operations;

/**
 * Runs one change of the cluster's configuration shared with the HTTP API ({@code NodeEdits}, {@code DeviceEdits}):
 * the store is reached only once the input passed the checks that need none; a refusal exits 2 (1 without a
 * configuration) naming the argument; a success is recorded as an event with the operator's name and printed.
 */
final class ConfigEdit {
  private ConfigEdit() {}

  interface Op {
    Operations.Done apply(Supplier<Admin> admin) throws Exception;
  }

  /** The store's handle, opened at the first get() (bad input is refused before any connection), closed once. */
  static final class LazyAdmin implements Supplier<Admin>, AutoCloseable {
    private final StoreOptions store;
    private Admin opened;

    LazyAdmin(StoreOptions store) {
      this.store = store;
    }

    @Override
    public Admin get() {
      if (opened == null) {
        try {
          opened = store.admin();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e.getMessage(), e);
        }
      }
      return opened;
    }

    @Override
    public void close() {
      if (opened != null) opened.close();
    }
  }

  /** Runs op; prints its line followed by what {@code after} adds to it. */
  static int run(StoreOptions store, Op op, UnaryOperator<String> after) throws Exception {
    LazyAdmin admin = new LazyAdmin(store);
    try {
      Operations.Done done = op.apply(admin);
      admin.get().audit(done.message());
      System.out.println(after.apply(done.message()));
    } catch (Operations.Refused r) {
      throw new CliError(r.getMessage() + "; nothing was written", r.exitCode());
    } finally {
      admin.close();
    }
    return 0;
  }
}
