package com.example.wordcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.testkit.junit.KeyflowEnvironment;
import io.keyflow.testkit.junit.KeyflowTest;
import io.keyflow.testkit.junit.TestFunctions;
import io.keyflow.testkit.kafka.TopicRecords;
import io.keyflow.testkit.unit.KafkaRecord;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.junit.jupiter.api.Test;

/** The app on Kafka and Flink, with a failure in the middle that must change nothing. */
@KeyflowTest(module = "module.yaml", parallelism = 2)
class WordCountIntegrationTest {
  @TestFunctions static final StatefulFunctions FUNCTIONS = WordCount.functions();

  // tag::recovery[]
  @Test
  void countsAreExactAcrossAFailureAndRestore(KeyflowEnvironment keyflow) {
    TopicRecords counts = keyflow.topic("counts");
    TopicRecords totals = keyflow.topic("totals");
    for (String word : new String[] {"apple", "pear", "apple"}) {
      keyflow.send("words", word, word);
    }
    totals.await("a total of 3", r -> r.utf8Value().equals("3"));

    keyflow.failAndRestore();
    for (String word : new String[] {"apple", "fig"}) {
      keyflow.send("words", word, word);
    }
    totals.await("a total of 5", r -> r.utf8Value().equals("5"));

    assertThat(values(counts, "apple")).containsExactly("1", "2", "3");
    assertThat(values(counts, "pear")).containsExactly("1");
    assertThat(values(counts, "fig")).containsExactly("1");
    assertThat(values(totals, "all")).containsExactly("1", "2", "3", "4", "5");
    assertThat(keyflow.restarts()).isEqualTo(1);
  }
  // end::recovery[]

  private static java.util.List<String> values(TopicRecords topic, String key) {
    return topic.withKey(key).stream().map(KafkaRecord::utf8Value).toList();
  }
}
