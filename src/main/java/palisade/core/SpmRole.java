package palisade.core;

/**
 * Who holds the SPM role (DESIGN "Roles"), under which token, and whether the manager asked the holder to let go.
 * Part of the manager state; the holder acts as SPM only while it is named here and not releasing.
 *
 * @param releasing the manager wants the role back (maintenance, spm_priority now -1): the holder stops acting
 *     and reports the token in {@link NodeRecord#spmReleased()}; only then may another node get it
 * @param moveTo the node an operator asked the role to move to (`spm move NODE`), or null: named next once the holder
 *     has released it, if it is eligible then
 * @param sinceMs the host's wall clock (ms since the epoch) when the holder was named, for operators only (0: unknown)
 */
public record SpmRole(String node, long token, boolean releasing, String moveTo, long sinceMs) {
  public SpmRole {
    Check.that(node != null && token > 0, "SPM role needs a holder and a token");
  }

  public SpmRole(String node, long token, boolean releasing) {
    this(node, token, releasing, null, 0);
  }

  /** `node2 (token 9)` or `node2 (token 9, releasing)`; `none` for no holder: how logs and status show it. */
  public static String describe(SpmRole r) {
    return r == null ? "none" : r.node() + " (token " + r.token() + (r.releasing() ? ", releasing" : "")
        + (r.moveTo() == null ? "" : ", moving to " + r.moveTo()) + ")";
  }

  public SpmRole release() {
    Check.that(!releasing, "SPM role of %s released twice", node);
    return new SpmRole(node, token, true, moveTo, sinceMs);
  }
}
