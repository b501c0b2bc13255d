package palisade.core;

/** Completion of an asynchronous environment call, delivered on the node's event loop with its clock reading. */
@FunctionalInterface
public interface Callback<T> {
  void done(T result, long nowMs);
}
