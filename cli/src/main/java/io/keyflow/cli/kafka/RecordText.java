package io.keyflow.cli.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.protocol.types.BooleanWrapper;
import io.keyflow.protocol.types.DoubleWrapper;
import io.keyflow.protocol.types.FloatWrapper;
import io.keyflow.protocol.types.IntWrapper;
import io.keyflow.protocol.types.LongWrapper;
import io.keyflow.protocol.types.StringWrapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Shows a record value as text, decoding what Keyflow and StateFun functions write. */
final class RecordText {
  private RecordText() {}

  static String of(byte[] value) {
    if (value == null) {
      return "(null)";
    }
    String text = utf8OrNull(value);
    if (text != null && isPrintable(text)) {
      return text;
    }
    String typed = typedValueOrNull(value);
    if (typed != null) {
      return typed;
    }
    String letter = deadLetterOrNull(value);
    if (letter != null) {
      return letter;
    }
    String record = producerRecordOrNull(value);
    if (record != null) {
      return record;
    }
    return "0x" + HexFormat.of().formatHex(value);
  }

  private static String typedValueOrNull(byte[] value) {
    try {
      TypedValue typed = TypedValue.parseFrom(value);
      if (typed.getTypename().isEmpty() || !typed.getTypename().contains("/")) {
        return null;
      }
      String decoded = primitiveOrNull(typed);
      return decoded != null
          ? decoded
          : typed.getTypename() + " " + of(typed.getValue().toByteArray());
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private static String primitiveOrNull(TypedValue typed) throws InvalidProtocolBufferException {
    var bytes = typed.getValue();
    return switch (typed.getTypename()) {
      case "io.statefun.types/string" -> StringWrapper.parseFrom(bytes).getValue();
      case "io.statefun.types/long" -> Long.toString(LongWrapper.parseFrom(bytes).getValue());
      case "io.statefun.types/int" -> Integer.toString(IntWrapper.parseFrom(bytes).getValue());
      case "io.statefun.types/bool" -> Boolean.toString(BooleanWrapper.parseFrom(bytes).getValue());
      case "io.statefun.types/double" -> Double.toString(DoubleWrapper.parseFrom(bytes).getValue());
      case "io.statefun.types/float" -> Float.toString(FloatWrapper.parseFrom(bytes).getValue());
      default -> null;
    };
  }

  private static String deadLetterOrNull(byte[] value) {
    try {
      DeadLetter letter = DeadLetter.parseFrom(value);
      var address = letter.getAddress();
      if (address.getNamespace().isEmpty()
          || address.getType().isEmpty()
          || (letter.getMessagesCount() == 0 && letter.getDroppedMessages() == 0)) {
        return null;
      }
      StringBuilder out =
          new StringBuilder("dead letter for ")
              .append(address.getNamespace())
              .append('/')
              .append(address.getType())
              .append('/')
              .append(address.getId())
              .append(" after ")
              .append(letter.getAttempts())
              .append(" attempt(s): ")
              .append(letter.getError())
              .append("; messages:");
      if (letter.getDroppedMessages() > 0) {
        out.append(" (")
            .append(letter.getDroppedMessages())
            .append(" more left out, ")
            .append(letter.getDroppedBytes())
            .append(" bytes: too large for one record; they are in the job's log)");
      }
      for (var message : letter.getMessagesList()) {
        TypedValue argument = message.getArgument();
        String text = primitiveOrNull(argument);
        out.append(" [")
            .append(argument.getTypename())
            .append(' ')
            .append(text != null ? text : of(argument.getValue().toByteArray()))
            .append(']');
      }
      return out.toString();
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private static String producerRecordOrNull(byte[] value) {
    try {
      KafkaProducerRecord record = KafkaProducerRecord.parseFrom(value);
      if (record.getTopic().isEmpty()) {
        return null;
      }
      return "(to " + record.getTopic() + ") " + of(record.getValueBytes().toByteArray());
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private static String utf8OrNull(byte[] value) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean isPrintable(String text) {
    return text.codePoints().allMatch(c -> c >= 0x20 || c == '\n' || c == '\r' || c == '\t');
  }
}
