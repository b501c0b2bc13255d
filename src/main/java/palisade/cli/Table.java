package palisade.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** An aligned text table: columns as wide as their widest cell, two spaces apart, no trailing blanks. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    rows.add(header);
  }

  /** A row; null cells print as "-". */
  Table row(Object... cells) {
    String[] r = new String[rows.get(0).length];
    palisade.core.Check.that(cells.length == r.length, "table row of %s cells under %s columns", cells.length,
        r.length);
    for (int i = 0; i < r.length; i++) r[i] = cells[i] == null ? "-" : cells[i].toString();
    rows.add(r);
    return this;
  }

  boolean isEmpty() {
    return rows.size() == 1;
  }

  void print(PrintStream out) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(r[i]);
        if (i < r.length - 1) line.append(" ".repeat(width[i] - r[i].length() + 2));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
