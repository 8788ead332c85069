package io.keyflow.savepoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.savepoint.MergedKeys.KeyWork;
import io.keyflow.savepoint.MergedKeys.Namespaces;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

class MergedKeysTest {
  private static final int MAX_PARALLELISM = 128;

  /** Keys in the order a RocksDB backend lists them: key group, then serialized key. */
  private static List<String> inBackendOrder(String... keys) {
    List<String> sorted = new ArrayList<>(List.of(keys));
    sorted.sort(
        Comparator.comparingInt(
                (String k) -> KeyGroupRangeAssignment.assignToKeyGroup(k, MAX_PARALLELISM))
            .thenComparing(k -> k.length())
            .thenComparing(k -> k));
    return sorted;
  }

  private static <N> Stream<Tuple2<String, N>> entries(List<String> keys, N namespace) {
    return keys.stream().map(k -> Tuple2.of(k, namespace));
  }

  @Test
  void everyKeyOfEveryStateComesOnceWithItsNamespaces() {
    List<String> values = inBackendOrder("alice", "bob", "carol");
    List<String> backlog = inBackendOrder("bob", "dave");
    MergedKeys keys = new MergedKeys(MAX_PARALLELISM);
    keys.add("values", entries(values, "void"), Namespaces.NONE);
    keys.add(
        "backlog",
        Stream.concat(entries(backlog, "shop/cart"), Stream.<Tuple2<String, String>>empty())
            .sorted(Comparator.comparingInt((Tuple2<String, String> t) -> backlog.indexOf(t.f0))),
        Namespaces.FUNCTION_TYPE);
    keys.add("delayed", entries(inBackendOrder("dave"), 42L), Namespaces.FIRE_TIME);

    List<KeyWork> all = new ArrayList<>();
    keys.forEachRemaining(all::add);

    assertThat(all)
        .extracting(KeyWork::key)
        .containsExactlyElementsOf(inBackendOrder("alice", "bob", "carol", "dave"));
    KeyWork dave = all.stream().filter(w -> w.key().equals("dave")).findFirst().orElseThrow();
    assertThat(dave.functionTypes()).containsExactly("shop/cart");
    assertThat(dave.fireTimes()).containsExactly(42L);
    KeyWork alice = all.stream().filter(w -> w.key().equals("alice")).findFirst().orElseThrow();
    assertThat(alice.functionTypes()).isEmpty();
  }

  @Test
  void aKeyWithSeveralNamespacesInOneStateGathersThemAll() {
    MergedKeys keys = new MergedKeys(MAX_PARALLELISM);
    keys.add(
        "delayed",
        Stream.of(Tuple2.of("x", 1L), Tuple2.of("x", 5L), Tuple2.of("x", 3L)),
        Namespaces.FIRE_TIME);

    KeyWork x = keys.next();

    assertThat(x.fireTimes()).isEqualTo(new TreeSet<>(Set.of(1L, 3L, 5L)));
    assertThat(keys.hasNext()).isFalse();
  }

  @Test
  void aStateListedOutOfKeyOrderFailsInsteadOfRepeatingAKey() {
    List<String> ordered = inBackendOrder("a", "b");
    MergedKeys keys = new MergedKeys(MAX_PARALLELISM);
    keys.add("broken", entries(List.of(ordered.get(1), ordered.get(0)), "void"), Namespaces.NONE);

    assertThatThrownBy(keys::next).hasMessageContaining("state broken lists key");
  }
}
