package io.keyflow.cli.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where the checkpoints completed during a measurement spent their time, from Flink's checkpoint
 * statistics, and how long after a checkpoint's last acknowledgement exactly-once replies reached
 * their callers.
 *
 * <p>Each figure is over checkpoints: per checkpoint a vertex counts with its slowest subtask, the
 * one the checkpoint waits for. The vertex that holds the feedback loop and the dispatcher shows
 * the loop's log in its asynchronous part (the log is written once the barrier came round the
 * loop); the egress sinks show the producer's flush before the barrier in their start delay
 * downstream and the transaction's pre-commit in their synchronous part.
 *
 * @param checkpoints completed checkpoints the figures cover
 * @param triggerGapMillis time between two checkpoints' triggers (the interval, or more when a
 *     checkpoint took longer)
 * @param endToEndMillis trigger to the last subtask's acknowledgement
 * @param vertices per vertex of the job graph, in the job's order
 * @param lastAckToReplyMillis from the last acknowledgement of the latest checkpoint before a reply
 *     to the caller having that reply: the checkpoint's completion at the JobManager, the
 *     notification to the tasks, the Kafka commit, the gateway's consumer reading it, the HTTP
 *     answer; null when not measured (at-least-once replies)
 */
public record CheckpointBreakdown(
    int checkpoints,
    Figures triggerGapMillis,
    Figures endToEndMillis,
    List<VertexTimes> vertices,
    Figures lastAckToReplyMillis) {

  /**
   * One vertex's share, each the figure of its slowest subtask per checkpoint.
   *
   * @param vertex the vertex's name
   * @param startDelayMillis trigger to the first barrier reaching the subtask
   * @param alignmentMillis first barrier to the last (aligned checkpoints wait for every input)
   * @param syncMillis the synchronous part, on the task thread
   * @param asyncMillis the asynchronous part, off the task thread
   * @param ackMillis trigger to the subtask's acknowledgement
   */
  public record VertexTimes(
      String vertex,
      Figures startDelayMillis,
      Figures alignmentMillis,
      Figures syncMillis,
      Figures asyncMillis,
      Figures ackMillis) {}

  /** The median, 90th percentile (nearest rank) and maximum of a set of durations. */
  public record Figures(double p50, double p90, double max) {

    static Figures of(double[] values) {
      if (values.length == 0) {
        return new Figures(0, 0, 0);
      }
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      return new Figures(rank(sorted, 50), rank(sorted, 90), sorted[sorted.length - 1]);
    }

    private static double rank(double[] sorted, double percent) {
      return sorted[Percentiles.rankIndex(percent, sorted.length)];
    }

    @Override
    public String toString() {
      return String.format("%6.1f %6.1f %6.1f", p50, p90, max);
    }
  }

  /** One subtask's figures in one checkpoint. */
  record SubtaskTimes(long startDelay, long alignment, long sync, long async, long ack) {}

  /**
   * One completed checkpoint: when it was triggered and last acknowledged, per vertex its subtasks.
   */
  record Checkpoint(long id, long triggeredAt, long lastAckAt, List<List<SubtaskTimes>> vertices) {}

  /**
   * The breakdown of {@code checkpoints} (by id, ascending) of a job whose vertices are named
   * {@code vertexNames} (in the order of each checkpoint's vertex lists), with the reply times of
   * exactly-once calls, or null for none.
   */
  static CheckpointBreakdown of(
      List<String> vertexNames, List<Checkpoint> checkpoints, long[] repliedAtMillis) {
    int n = checkpoints.size();
    double[] gaps = new double[Math.max(0, n - 1)];
    double[] endToEnd = new double[n];
    long[] acks = new long[n];
    for (int c = 0; c < n; c++) {
      Checkpoint checkpoint = checkpoints.get(c);
      endToEnd[c] = checkpoint.lastAckAt() - checkpoint.triggeredAt();
      acks[c] = checkpoint.lastAckAt();
      if (c > 0) {
        gaps[c - 1] = checkpoint.triggeredAt() - checkpoints.get(c - 1).triggeredAt();
      }
    }
    List<VertexTimes> vertices = new ArrayList<>();
    for (int v = 0; v < vertexNames.size(); v++) {
      double[][] slowest = new double[5][n];
      for (int c = 0; c < n; c++) {
        for (SubtaskTimes s : checkpoints.get(c).vertices().get(v)) {
          slowest[0][c] = Math.max(slowest[0][c], s.startDelay());
          slowest[1][c] = Math.max(slowest[1][c], s.alignment());
          slowest[2][c] = Math.max(slowest[2][c], s.sync());
          slowest[3][c] = Math.max(slowest[3][c], s.async());
          slowest[4][c] = Math.max(slowest[4][c], s.ack());
        }
      }
      vertices.add(
          new VertexTimes(
              vertexNames.get(v),
              Figures.of(slowest[0]),
              Figures.of(slowest[1]),
              Figures.of(slowest[2]),
              Figures.of(slowest[3]),
              Figures.of(slowest[4])));
    }
    return new CheckpointBreakdown(
        n,
        Figures.of(gaps),
        Figures.of(endToEnd),
        vertices,
        repliedAtMillis == null ? null : Figures.of(sinceLastAck(acks, repliedAtMillis)));
  }

  /**
   * For each reply within the span of {@code acks} (ascending), the time since the latest
   * acknowledgement before it; replies before the first acknowledgement or more than one gap after
   * the last are left out, as their checkpoint is not among {@code acks}.
   */
  static double[] sinceLastAck(long[] acks, long[] repliedAt) {
    if (acks.length < 2) {
      return new double[0];
    }
    long lastGap = acks[acks.length - 1] - acks[acks.length - 2];
    double[] out = new double[repliedAt.length];
    int count = 0;
    for (long at : repliedAt) {
      int i = Arrays.binarySearch(acks, at);
      int before = i >= 0 ? i : -i - 2;
      if (before < 0 || (before == acks.length - 1 && at - acks[before] > lastGap)) {
        continue;
      }
      out[count++] = at - acks[before];
    }
    return Arrays.copyOf(out, count);
  }

  /** The breakdown as a few lines of text (milliseconds: median, p90, max). */
  String text() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "  checkpoints: %d completed; ms as p50 p90 max; per vertex its slowest subtask%n",
            checkpoints));
    out.append(String.format("    %-44s %s%n", "between triggers", triggerGapMillis));
    out.append(String.format("    %-44s %s%n", "trigger to last acknowledgement", endToEndMillis));
    out.append(
        String.format(
            "    %-44s %-20s %-20s %-20s %-20s %-20s%n",
            "vertex", "start delay", "alignment", "sync", "async", "acknowledged"));
    for (VertexTimes v : vertices) {
      String name = v.vertex().length() > 44 ? v.vertex().substring(0, 41) + "..." : v.vertex();
      out.append(
          String.format(
              "    %-44s %-20s %-20s %-20s %-20s %-20s%n",
              name,
              v.startDelayMillis(),
              v.alignmentMillis(),
              v.syncMillis(),
              v.asyncMillis(),
              v.ackMillis()));
    }
    if (lastAckToReplyMillis != null) {
      out.append(
          String.format(
              "    %-44s %s%n",
              "last acknowledgement to reply at the caller", lastAckToReplyMillis));
    }
    return out.toString();
  }
}
