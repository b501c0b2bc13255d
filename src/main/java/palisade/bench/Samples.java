package palisade.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds from many threads; percentiles in milliseconds. */
final class Samples {
  private long[] values = new long[1024];
  private int size;
  private volatile boolean recording = true;

  synchronized void add(long nanos) {
    if (!recording) return;
    if (size == values.length) values = Arrays.copyOf(values, size * 2);
    values[size++] = nanos;
  }

  /** Drops what was recorded so far (a warm-up) and records again. */
  synchronized void reset() {
    size = 0;
    failures.clear();
    recording = true;
  }

  /** Records nothing from now on (the measuring window closed). */
  void freeze() {
    recording = false;
  }

  private final java.util.TreeMap<String, Long> failures = new java.util.TreeMap<>();

  /** A write that was not committed, by the kind of its result; counted while recording. */
  synchronized void failed(String kind) {
    if (recording) failures.merge(kind, 1L, Long::sum);
  }

  /** "none", or each kind of failure with its count. */
  synchronized String failures() {
    return failures.isEmpty() ? "none" : failures.toString();
  }

  synchronized int count() {
    return size;
  }

  /** The p-th percentile in ms (nearest rank), or -1 with no sample. */
  synchronized double pctMs(int p) {
    if (size == 0) return -1;
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    return Benchmarks.pct(sorted, p) / 1e6;
  }

  synchronized double maxMs() {
    if (size == 0) return -1;
    return Arrays.stream(values, 0, size).max().orElse(0) / 1e6;
  }
}
