package io.keyflow.testkit;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Bytes shown in a failure message: as text when they are printable UTF-8, otherwise in hex. */
public final class Printable {
  private static final int MAX_CHARS = 300;

  private Printable() {}

  /** {@code null}, quoted text, or {@code 0x...} with the length. */
  public static String bytes(byte[] bytes) {
    if (bytes == null) {
      return "null";
    }
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      if (text.chars().allMatch(c -> c >= 0x20 || c == '\n' || c == '\t' || c == '\r')) {
        return text.length() > MAX_CHARS
            ? "'" + text.substring(0, MAX_CHARS) + "...' (" + bytes.length + " bytes)"
            : "'" + text + "'";
      }
    } catch (CharacterCodingException binary) {
      // Shown in hex below.
    }
    int shown = Math.min(bytes.length, MAX_CHARS / 2);
    return "0x"
        + HexFormat.of().formatHex(bytes, 0, shown)
        + (shown < bytes.length ? "..." : "")
        + " ("
        + bytes.length
        + " bytes)";
  }
}
