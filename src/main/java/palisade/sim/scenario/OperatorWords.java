package palisade.sim.scenario;

/** The operator's membership and role words in a scenario: `node add|remove|set` and `spm move`. */
final class OperatorWords {
  private OperatorWords() {}

  /** What a `node` operator word does to the membership. */
  enum Verb { ADD, REMOVE, SET }

  /**
   * `node add NODE [KEY=VALUE ...]` (a node declaration's settings), `node remove NODE` or `node set NODE
   * agent_only=yes|no`: the operator's `palisade node add|remove|set`; an added node's machine is powered and boots,
   * a removal is refused unless the node is stopped.
   */
  record Member(String node, Verb verb, java.util.SortedMap<String, String> settings) implements Action {
    boolean add() {
      return verb == Verb.ADD;
    }

    @Override
    public <R> R accept(Action.Visitor<R> v) {
      return v.member(this);
    }

    @Override
    public String words() {
      StringBuilder b = new StringBuilder("node " + verb.name().toLowerCase(java.util.Locale.ROOT) + " " + node);
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
