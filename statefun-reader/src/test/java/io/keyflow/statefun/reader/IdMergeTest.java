package io.keyflow.statefun.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

class IdMergeTest {
  private static final int MAX_PARALLELISM = 128;

  /** Ids in the order a RocksDB backend lists them: key group, then serialized key. */
  private static List<String> inBackendOrder(List<String> ids) {
    List<String> sorted = new ArrayList<>(ids);
    sorted.sort(Comparator.comparing(IdMergeTest::order, java.util.Arrays::compareUnsigned));
    return sorted;
  }

  private static byte[] order(String id) {
    DataOutputSerializer out = new DataOutputSerializer(16);
    try {
      out.writeInt(KeyGroupRangeAssignment.assignToKeyGroup(id, MAX_PARALLELISM));
      StringSerializer.INSTANCE.serialize(id, out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.getCopyOfBuffer();
  }

  @Test
  void everyIdOfSeveralStatesComesOnceWithTheDueTimesOfItsDelayedMessages() {
    List<String> all = IntStream.range(0, 500).mapToObj(i -> "id-" + i).toList();
    List<String> evens = inBackendOrder(all.stream().filter(i -> i.hashCode() % 2 == 0).toList());
    List<String> some = inBackendOrder(all.subList(0, 300));
    List<Tuple2<String, Long>> delayed = new ArrayList<>();
    for (String id : inBackendOrder(all.subList(250, 500))) {
      delayed.add(Tuple2.of(id, 10L));
      delayed.add(Tuple2.of(id, 20L));
    }

    List<IdMerge.Id> merged = new ArrayList<>();
    try (IdMerge ids = new IdMerge(MAX_PARALLELISM)) {
      ids.addIds("evens", evens.stream());
      ids.addIds("some", some.stream());
      ids.addDueTimes("delayed", delayed.stream());
      ids.forEachRemaining(merged::add);
    }

    assertThat(merged.stream().map(IdMerge.Id::id)).containsExactlyElementsOf(inBackendOrder(all));
    assertThat(
            merged.stream()
                .filter(i -> i.id().equals("id-260"))
                .findFirst()
                .orElseThrow()
                .dueTimes())
        .containsExactly(10L, 20L);
    assertThat(
            merged.stream()
                .filter(i -> i.id().equals("id-10"))
                .findFirst()
                .orElseThrow()
                .dueTimes())
        .isEmpty();
  }

  @Test
  void aStateListingIdsOutOfOrderFailsInsteadOfListingAnIdTwice() {
    List<String> ordered = inBackendOrder(List.of("a", "b", "c", "d"));
    List<String> backwards = new ArrayList<>(ordered);
    java.util.Collections.reverse(backwards);

    try (IdMerge ids = new IdMerge(MAX_PARALLELISM)) {
      ids.addIds("ordered", ordered.stream());
      ids.addIds("backwards", Stream.of(backwards.toArray(String[]::new)));
      assertThatThrownBy(() -> ids.forEachRemaining(i -> {}))
          .hasMessageContaining("state backwards lists id");
    }
  }
}
