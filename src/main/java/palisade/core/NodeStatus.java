package palisade.core;

/**
 * The manager's persistent view of one node.
 *
 * @param confirmation set once the fence of {@code generation} is confirmed; null otherwise
 */
public record NodeStatus(NodeState state, long generation, FenceConfirmation confirmation) {
  public static NodeStatus initial() {
    return new NodeStatus(NodeState.UNKNOWN, 0, null);
  }
}
