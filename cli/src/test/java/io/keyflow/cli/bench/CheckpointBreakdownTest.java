package io.keyflow.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.cli.bench.CheckpointBreakdown.Checkpoint;
import io.keyflow.cli.bench.CheckpointBreakdown.Figures;
import io.keyflow.cli.bench.CheckpointBreakdown.SubtaskTimes;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointBreakdownTest {

  private static Checkpoint checkpoint(
      long id, long trigger, long lastAck, SubtaskTimes... dispatcher) {
    return new Checkpoint(
        id,
        trigger,
        lastAck,
        List.of(List.of(new SubtaskTimes(1, 0, 1, 1, 3)), List.of(dispatcher)));
  }

  @Test
  void eachVertexCountsWithItsSlowestSubtaskPerCheckpoint() {
    List<Checkpoint> checkpoints =
        List.of(
            checkpoint(
                1,
                1000,
                1040,
                new SubtaskTimes(5, 2, 10, 20, 37),
                new SubtaskTimes(8, 0, 4, 30, 40)),
            checkpoint(
                2,
                1200,
                1230,
                new SubtaskTimes(3, 1, 12, 10, 30),
                new SubtaskTimes(2, 0, 6, 9, 18)),
            checkpoint(
                3,
                1400,
                1490,
                new SubtaskTimes(4, 9, 50, 20, 90),
                new SubtaskTimes(1, 1, 1, 1, 5)));

    CheckpointBreakdown breakdown =
        CheckpointBreakdown.of(List.of("Source", "feedback -> dispatcher"), checkpoints, null);

    assertThat(breakdown.checkpoints()).isEqualTo(3);
    assertThat(breakdown.triggerGapMillis()).isEqualTo(new Figures(200, 200, 200));
    assertThat(breakdown.endToEndMillis()).isEqualTo(new Figures(40, 90, 90));
    CheckpointBreakdown.VertexTimes dispatcher = breakdown.vertices().get(1);
    assertThat(dispatcher.vertex()).isEqualTo("feedback -> dispatcher");
    assertThat(dispatcher.startDelayMillis()).isEqualTo(new Figures(4, 8, 8));
    assertThat(dispatcher.alignmentMillis()).isEqualTo(new Figures(2, 9, 9));
    assertThat(dispatcher.syncMillis()).isEqualTo(new Figures(12, 50, 50));
    assertThat(dispatcher.asyncMillis()).isEqualTo(new Figures(20, 30, 30));
    assertThat(dispatcher.ackMillis()).isEqualTo(new Figures(40, 90, 90));
    assertThat(breakdown.lastAckToReplyMillis()).isNull();
    assertThat(breakdown.text()).contains("feedback -> dispatcher", "between triggers");
  }

  @Test
  void aReplyCountsFromTheLastAcknowledgementBeforeIt() {
    long[] acks = {1000, 1200, 1400};
    long[] replies = {1005, 1210, 1399, 1400, 1590};

    assertThat(CheckpointBreakdown.sinceLastAck(acks, replies))
        .containsExactly(5.0, 10.0, 199.0, 0.0, 190.0);
  }

  @Test
  void repliesOutsideTheCheckpointsSpanAreLeftOut() {
    long[] acks = {1000, 1200, 1400};
    // Before the first checkpoint, and more than one gap after the last one: their checkpoint is
    // not among those read.
    long[] replies = {999, 1601, 1100};

    assertThat(CheckpointBreakdown.sinceLastAck(acks, replies)).containsExactly(100.0);
  }

  @Test
  void exactlyOnceRepliesGetTheirFigures() {
    List<Checkpoint> checkpoints =
        List.of(
            checkpoint(1, 900, 1000, new SubtaskTimes(1, 1, 1, 1, 1)),
            checkpoint(2, 1100, 1200, new SubtaskTimes(1, 1, 1, 1, 1)));

    CheckpointBreakdown breakdown =
        CheckpointBreakdown.of(List.of("a", "b"), checkpoints, new long[] {1010, 1030, 1220});

    assertThat(breakdown.lastAckToReplyMillis()).isEqualTo(new Figures(20, 30, 30));
    assertThat(breakdown.text()).contains("last acknowledgement to reply at the caller");
  }

  @Test
  void noCheckpointsGiveZeros() {
    CheckpointBreakdown breakdown = CheckpointBreakdown.of(List.of("a"), List.of(), new long[0]);

    assertThat(breakdown.checkpoints()).isZero();
    assertThat(breakdown.endToEndMillis()).isEqualTo(new Figures(0, 0, 0));
    assertThat(breakdown.vertices().get(0).syncMillis()).isEqualTo(new Figures(0, 0, 0));
  }

  @Test
  void subtaskFiguresAreReadFromFlinksCheckpointDetails() throws Exception {
    // The shape of GET /jobs/:id/checkpoints/details/:cid/subtasks/:vid in Flink 2.2.
    String json =
        """
        {"id":7,"status":"COMPLETED","num_subtasks":3,
         "subtasks":[
          {"index":0,"status":"completed","ack_timestamp":1700,"end_to_end_duration":41,
           "state_size":10,"checkpointed_size":10,"checkpoint":{"sync":12,"async":25},
           "alignment":{"buffered":0,"processed":0,"persisted":0,"duration":3},
           "start_delay":2,"unaligned_checkpoint":false,"aborted":false},
          {"index":1,"status":"pending_or_failed"},
          {"index":2,"status":"completed","ack_timestamp":1701,"end_to_end_duration":9,
           "checkpoint":{"sync":1,"async":2},"alignment":{"duration":0},"start_delay":5}]}
        """;

    List<SubtaskTimes> subtasks = CheckpointStats.subtasks(new ObjectMapper().readTree(json));

    assertThat(subtasks)
        .containsExactly(new SubtaskTimes(2, 3, 12, 25, 41), new SubtaskTimes(5, 0, 1, 2, 9));
  }
}
