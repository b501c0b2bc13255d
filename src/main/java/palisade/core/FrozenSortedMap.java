package palisade.core;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An unmodifiable sorted copy that is never copied again: a record carrying a map on unchanged (a node's renewal
 * with the same results) shares it, so the manager tells "unchanged" by identity instead of comparing every entry.
 */
final class FrozenSortedMap<K, V> extends AbstractMap<K, V> implements SortedMap<K, V> {
  private final SortedMap<K, V> view;

  private FrozenSortedMap(SortedMap<K, V> copy) {
    this.view = Collections.unmodifiableSortedMap(copy);
  }

  /** m itself if already frozen, else a frozen copy of it. */
  static <K, V> SortedMap<K, V> of(Map<K, V> m) {
    return m instanceof FrozenSortedMap<K, V> f ? f : new FrozenSortedMap<>(new TreeMap<>(m));
  }

  @Override
  public V get(Object key) {
    return view.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return view.containsKey(key);
  }

  @Override
  public int size() {
    return view.size();
  }

  @Override
  public Comparator<? super K> comparator() {
    return view.comparator();
  }

  @Override
  public SortedMap<K, V> subMap(K fromKey, K toKey) {
    return view.subMap(fromKey, toKey);
  }

  @Override
  public SortedMap<K, V> headMap(K toKey) {
    return view.headMap(toKey);
  }

  @Override
  public SortedMap<K, V> tailMap(K fromKey) {
    return view.tailMap(fromKey);
  }

  @Override
  public K firstKey() {
    return view.firstKey();
  }

  @Override
  public K lastKey() {
    return view.lastKey();
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return view.entrySet();
  }
}
