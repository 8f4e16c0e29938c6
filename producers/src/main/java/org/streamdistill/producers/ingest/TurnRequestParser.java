package org.streamdistill.producers.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.streamdistill.producers.time.EventTimeParser;
import org.streamdistill.schemas.time.EventTimeWindow;

/**
 * Validates a posted turn: the conversation id from the path and a JSON body
 * {@code {"speaker": "user"|"agent", "text": "...", "timestamp": ISO-8601 or epoch millis,
 * "gold_label": "..."}} ({@code timestamp} and {@code gold_label} optional). Every refusal
 * is an {@link InvalidTurnException} naming the field. A timestamp outside the event-time
 * window around the clock is refused ({@code timestamp}): a client's wrong clock must not
 * reach the topic, where it would make records Kafka refuses further down the pipeline.
 * No I/O, safe to share.
 */
public final class TurnRequestParser {

  /** Conversation ids: what Kafka keys and log lines can carry without escaping. */
  public static final Pattern CONVERSATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  public static final Set<String> SPEAKERS = Set.of("user", "agent");
  public static final Set<String> FIELDS = Set.of("speaker", "text", "timestamp", "gold_label");
  public static final int MAX_GOLD_LABEL_CHARS = 200;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final EventTimeParser TIMES = EventTimeParser.strict();

  private final int maxTextBytes;
  private final EventTimeWindow window;
  private final Supplier<Instant> clock;

  /** Accepts any writable timestamp (1970 up to an hour ahead); for tests of the other fields. */
  public TurnRequestParser(int maxTextBytes) {
    this(maxTextBytes, EventTimeWindow.writableToKafka(), Instant::now);
  }

  /**
   * @param window timestamps accepted around {@code clock}'s time
   * @param clock the server's clock
   */
  public TurnRequestParser(int maxTextBytes, EventTimeWindow window, Supplier<Instant> clock) {
    if (maxTextBytes < 1) {
      throw new IllegalArgumentException("max text bytes must be >= 1, got " + maxTextBytes);
    }
    this.maxTextBytes = maxTextBytes;
    this.window = window;
    this.clock = clock;
  }

  public int maxTextBytes() {
    return maxTextBytes;
  }

  /**
   * The largest body a valid turn can have: JSON escaping takes at most 6 bytes
   * ({@code \u0001}) per byte of text or character of the label, plus room for the other
   * fields and whitespace. Larger bodies are refused before they are read in full.
   */
  public int maxBodyBytes() {
    return 6 * maxTextBytes + 6 * MAX_GOLD_LABEL_CHARS + 2048;
  }

  /**
   * @param conversationId the raw path segment
   * @param body the raw request body
   */
  public TurnRequest parse(String conversationId, byte[] body) throws InvalidTurnException {
    if (conversationId == null || !CONVERSATION_ID.matcher(conversationId).matches()) {
      throw new InvalidTurnException("conversation_id", "conversation id '" + abbreviate(conversationId)
          + "' must be 1 to 128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
    }
    if (body.length > maxBodyBytes()) {
      throw InvalidTurnException.bodyTooLarge(maxBodyBytes());
    }
    JsonNode root = readJson(decodeUtf8(body));
    if (!root.isObject()) {
      throw new InvalidTurnException("body", "request body must be a JSON object, got " + root.getNodeType());
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidTurnException(name, "unknown field '" + abbreviate(name)
            + "'; expected speaker, text, timestamp (optional), gold_label (optional)");
      }
    }
    String speaker = speaker(root.get("speaker"));
    String text = text(root.get("text"));
    Instant timestamp = timestamp(root.get("timestamp"));
    String gold = goldLabel(root.get("gold_label"));
    return new TurnRequest(conversationId, speaker, text, timestamp, gold);
  }

  private String speaker(JsonNode node) throws InvalidTurnException {
    if (node == null || node.isNull()) {
      throw new InvalidTurnException("speaker", "speaker is required: user or agent");
    }
    if (!node.isTextual() || !SPEAKERS.contains(node.textValue())) {
      throw new InvalidTurnException("speaker", "unknown speaker " + quoted(node) + ": expected user or agent");
    }
    return node.textValue();
  }

  private String text(JsonNode node) throws InvalidTurnException {
    if (node == null || node.isNull()) {
      throw new InvalidTurnException("text", "text is required");
    }
    if (!node.isTextual()) {
      throw new InvalidTurnException("text", "text must be a string, got " + node.getNodeType());
    }
    String text = node.textValue();
    if (text.isBlank()) {
      throw new InvalidTurnException("text", "text must not be blank");
    }
    checkSurrogates("text", text);
    int bytes = utf8Length(text);
    if (bytes > maxTextBytes) {
      throw new InvalidTurnException("text", "text is " + bytes + " bytes of UTF-8, over the limit of "
          + maxTextBytes);
    }
    return text;
  }

  private Instant timestamp(JsonNode node) throws InvalidTurnException {
    if (node == null || node.isNull()) {
      return null;
    }
    Instant parsed = null;
    try {
      if (node.isIntegralNumber() && node.canConvertToLong()) {
        parsed = EventTimeParser.fromEpochMillis(node.longValue());
      } else if (node.isTextual()) {
        parsed = TIMES.parse(node.textValue());
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidTurnException("timestamp", "timestamp " + e.getMessage());
    }
    if (parsed != null) {
      String violation = window.violation(parsed, clock.get().toEpochMilli());
      if (violation != null) {
        throw new InvalidTurnException("timestamp", "timestamp refused: " + violation
            + " (the server's clock); send when the turn happened, or leave timestamp out to use the arrival time");
      }
      return parsed;
    }
    throw new InvalidTurnException("timestamp", "timestamp must be an ISO-8601 string with a zone "
        + "(2024-05-01T12:00:00Z) or integer epoch milliseconds, got " + quoted(node));
  }

  private static String goldLabel(JsonNode node) throws InvalidTurnException {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.textValue().isBlank()) {
      throw new InvalidTurnException("gold_label", "gold_label must be a non-blank string or null, got " + quoted(node));
    }
    if (node.textValue().length() > MAX_GOLD_LABEL_CHARS) {
      throw new InvalidTurnException("gold_label", "gold_label is " + node.textValue().length()
          + " characters, over the limit of " + MAX_GOLD_LABEL_CHARS);
    }
    checkSurrogates("gold_label", node.textValue());
    return node.textValue();
  }

  /** A {@code \ud83d} escape without its pair decodes to a string UTF-8 cannot encode. */
  private static void checkSurrogates(String field, String value) throws InvalidTurnException {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidTurnException(field, field + " is not valid UTF-8: unpaired surrogate \\u"
            + Integer.toHexString(c) + " at character " + i);
      }
    }
  }

  private static JsonNode readJson(String body) throws InvalidTurnException {
    if (body.isBlank()) {
      throw new InvalidTurnException("body", "request body is empty; expected a JSON object with speaker and text");
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
      throw new InvalidTurnException("body", "request body is not valid JSON" + where + ": " + e.getOriginalMessage());
    }
  }

  /**
   * Decodes strictly: a malformed byte sequence is refused, never replaced. The error names
   * the JSON field holding the bad bytes when it can tell.
   */
  private static String decodeUtf8(byte[] body) throws InvalidTurnException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(body.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int badByte = in.position();
      String field = fieldAt(body, out.position());
      throw new InvalidTurnException(field, ("body".equals(field) ? "request body" : field)
          + " is not valid UTF-8: malformed byte sequence at byte " + badByte + " of the request body");
    }
    out.flip();
    return out.toString();
  }

  /**
   * The name of the field whose string value spans {@code charOffset} in the body decoded
   * with replacement characters (the text before the first bad byte decodes the same
   * either way), or {@code body} when no string value does.
   */
  private static String fieldAt(byte[] body, int charOffset) {
    String lenient = new String(body, StandardCharsets.UTF_8);
    try (JsonParser parser = new JsonFactory().createParser(lenient)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token == JsonToken.VALUE_STRING) {
          long start = parser.currentTokenLocation().getCharOffset();
          parser.getText();
          long end = parser.currentLocation().getCharOffset();
          if (charOffset >= start && charOffset < end && parser.currentName() != null) {
            return parser.currentName();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // the body is not JSON either: report the body as a whole
    }
    return "body";
  }

  static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  private static String quoted(JsonNode node) {
    return node.isTextual() ? "'" + abbreviate(node.textValue()) + "'" : abbreviate(node.toString());
  }

  private static String abbreviate(String value) {
    if (value == null) {
      return "";
    }
    return value.length() <= 64 ? value : value.substring(0, 61) + "...";
  }
}
