package palisade.runtime.store;

/**
 * An operator's request that a node shut down (or reboot) cleanly ({@code palisade node shutdown}), one store record
 * per node at {@link #path}. The node's daemon takes it by compare-and-set (sets {@code taken}) before it acts, so a
 * request is acted on at most once, and never again by the node once it is back.
 *
 * @param atMs wall-clock time of the request (the operator's host): a request older than {@link #FRESH_MS} when the
 *     node sees it is taken and ignored, so a node that was off does not shut down again when it boots
 * @param by the operator and host, for the events
 */
public record ShutdownRequest(String node, boolean reboot, long atMs, String by, boolean taken) {
  public static final String PARENT = "/shutdown";
  public static final long FRESH_MS = 300_000;

  public static String path(String node) {
    return PARENT + "/" + node;
  }

  public ShutdownRequest take() {
    return new ShutdownRequest(node, reboot, atMs, by, true);
  }
}
