package io.keyflow.feedback;

import io.keyflow.protocol.internal.Envelope;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** What travels through the feedback channel: messages, and the checkpoint barriers' sentinels. */
sealed interface FeedbackRecord {

  /** A message for a function on the head's subtask. */
  record Message(Envelope envelope) implements FeedbackRecord {}

  /** All messages the tail received before checkpoint {@code checkpointId}'s barrier are ahead. */
  record Sentinel(long checkpointId) implements FeedbackRecord {}

  RecordCodec<FeedbackRecord> CODEC =
      new RecordCodec<>() {
        @Override
        public void write(FeedbackRecord record, DataOutput out) throws IOException {
          if (record instanceof Message m) {
            byte[] bytes = m.envelope().toByteArray();
            out.writeByte(0);
            out.writeInt(bytes.length);
            out.write(bytes);
          } else {
            out.writeByte(1);
            out.writeLong(((Sentinel) record).checkpointId());
          }
        }

        @Override
        public FeedbackRecord read(DataInput in) throws IOException {
          if (in.readByte() == 1) {
            return new Sentinel(in.readLong());
          }
          byte[] bytes = new byte[in.readInt()];
          in.readFully(bytes);
          return new Message(Envelope.parseFrom(bytes));
        }

        @Override
        public int size(FeedbackRecord record) {
          return record instanceof Message m ? 64 + m.envelope().getSerializedSize() : 32;
        }
      };
}
