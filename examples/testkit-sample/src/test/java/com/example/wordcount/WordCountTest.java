package com.example.wordcount;

import static io.keyflow.testkit.unit.InvocationAssert.assertThat;

import io.keyflow.testkit.unit.FunctionTester;
import io.keyflow.testkit.unit.InvocationResult;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.types.Types;
import org.junit.jupiter.api.Test;

/** The functions one call at a time, without Flink or Kafka. */
class WordCountTest {
  private final FunctionTester functions = FunctionTester.of(WordCount.functions());

  @Test
  void aWordCountsItselfAndTellsTheTotal() {
    InvocationResult result =
        functions
            .invoke(WordCount.WORD, "apple")
            .withState(WordCount.SEEN, 2L)
            .message(Types.stringType(), "apple")
            .call();

    assertThat(result)
        .hasState(WordCount.SEEN, 3L)
        .wroteKafka("counts", "apple", "3")
        .sent(new Address(WordCount.TOTAL, "all"), Types.longType(), 1L);
  }

  @Test
  void theTotalAddsUpWhatTheWordsSend() {
    InvocationResult result =
        functions
            .invoke(WordCount.TOTAL, "all")
            .messageFrom(new Address(WordCount.WORD, "apple"), Types.longType(), 1L)
            .messageFrom(new Address(WordCount.WORD, "pear"), Types.longType(), 1L)
            .call();

    assertThat(result).hasState(WordCount.SEEN, 2L).wroteKafka("totals", "all", "2").sentNothing();
  }
}
