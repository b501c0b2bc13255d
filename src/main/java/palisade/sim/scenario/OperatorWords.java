package palisade.sim.scenario;

/** The operator's membership and role words in a scenario: `node add|remove` and `spm move`. */
final class OperatorWords {
  private OperatorWords() {}

  /**
   * `node add NODE [KEY=VALUE ...]` (a node declaration's settings) or `node remove NODE`: the operator's `palisade
   * node add|remove`; an added node's machine is powered and boots, a removal is refused unless the node is stopped.
   */
  record Member(String node, boolean add, java.util.SortedMap<String, String> settings) implements Action {
    @Override
    public <R> R accept(Action.Visitor<R> v) {
      return v.member(this);
    }

    @Override
    public String words() {
      StringBuilder b = new StringBuilder("node " + (add ? "add " : "remove ") + node);
      settings.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
      return b.toString();
    }
  }

  /**
   * `spm move NODE`: the operator asks the SPM role to move to NODE (`palisade spm move`). NODE need not be
   * declared: the manager refuses an unknown node as it would the CLI's.
   */
  record SpmMove(String node) implements Action {
    @Override
    public <R> R accept(Action.Visitor<R> v) {
      return v.spmMove(this);
    }

    @Override
    public String words() {
      return "spm move " + node;
    }
  }
}
