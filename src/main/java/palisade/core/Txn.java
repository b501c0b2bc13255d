package palisade.core;

import java.util.List;

/** An atomic, all-or-nothing list of store operations (ZooKeeper `multi`). */
public record Txn(List<Op> ops) {
  public Txn {
    ops = List.copyOf(ops);
    Check.that(!ops.isEmpty(), "empty transaction");
  }

  public static Txn of(Op... ops) {
    return new Txn(List.of(ops));
  }
}
