package io.keyflow.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.FromFunction;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.junit.jupiter.api.Test;

class ResponseHandOffTest {
  private final TaskMailbox mailbox = new TaskMailboxImpl(Thread.currentThread());
  private final List<String> handled = new ArrayList<>();
  private final ResponseHandOff handOff =
      new ResponseHandOff(
          new MailboxExecutorImpl(mailbox, 0, StreamTaskActionExecutor.IMMEDIATE),
          (p, response, error) -> handled.add(p.key.id()));

  private static Pending pending(String id) {
    return new Pending(new AddressKey(TypeName.parse("test/fn"), id), List.of());
  }

  private void runLetters() throws Exception {
    while (mailbox.hasMail()) {
      mailbox.take(0).run();
    }
  }

  @Test
  void responsesArrivingTogetherShareOneLetterAndKeepTheirOrder() throws Exception {
    Thread client =
        new Thread(
            () -> {
              for (String id : List.of("a", "b", "c")) {
                handOff.arrive(pending(id), FromFunction.getDefaultInstance(), null);
              }
            });
    client.start();
    client.join();

    assertThat(mailbox.size()).isEqualTo(1);
    runLetters();
    assertThat(handled).containsExactly("a", "b", "c");
  }

  @Test
  void aResponseAfterTheLetterWasOpenedPostsANewOne() throws Exception {
    handOff.arrive(pending("a"), FromFunction.getDefaultInstance(), null);
    runLetters();
    handOff.arrive(pending("b"), null, new RuntimeException("refused"));

    assertThat(mailbox.size()).isEqualTo(1);
    runLetters();
    assertThat(handled).containsExactly("a", "b");
  }
}
