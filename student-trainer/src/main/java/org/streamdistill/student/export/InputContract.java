package org.streamdistill.student.export;

import java.util.LinkedHashMap;
import java.util.Map;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;

/**
 * How raw WordPiece ids become the {@code token_ids} input of an exported student: the same
 * steps as {@link TextCnn#prepareTokens(int[])}, written as data so that a server that only has
 * the ONNX file (it travels in the file's {@code metadata_props}) prepares ids exactly as the
 * Java model did. The exported graph itself starts at the embedding lookup: it neither strips,
 * cuts nor pads.
 *
 * @param vocabSize ids must be in {@code [0, vocabSize)}
 * @param maxTokens ids beyond this many (after stripping) are cut
 * @param minLength shorter inputs are padded with {@code padId} to this length (the widest
 *     convolution; the graph's "valid" convolutions need at least this many positions)
 * @param stripSpecialTokens drop a leading {@code clsId} and a trailing {@code sepId}
 * @param clsId the [CLS] id
 * @param sepId the [SEP] id
 * @param padId the padding id (its embedding row is zero)
 */
public record InputContract(int vocabSize, int maxTokens, int minLength, boolean stripSpecialTokens,
    int clsId, int sepId, int padId) {

  static final String PREFIX = "streamdistill.input.";
  static final String VOCAB_SIZE = PREFIX + "vocab_size";
  static final String MAX_TOKENS = PREFIX + "max_tokens";
  static final String MIN_LENGTH = PREFIX + "min_length";
  static final String STRIP_SPECIAL_TOKENS = PREFIX + "strip_special_tokens";
  static final String CLS_ID = PREFIX + "cls_id";
  static final String SEP_ID = PREFIX + "sep_id";
  static final String PAD_ID = PREFIX + "pad_id";

  public InputContract {
    if (vocabSize <= 0 || maxTokens <= 0 || minLength <= 0) {
      throw new IllegalArgumentException("vocabSize, maxTokens and minLength must be > 0, got "
          + vocabSize + ", " + maxTokens + ", " + minLength);
    }
  }

  /** The contract of a model of {@code config}. */
  public static InputContract of(TextCnnConfig config) {
    return new InputContract(config.vocabSize(), config.maxTokens(), config.maxFilterWidth(),
        config.stripSpecialTokens(), TextCnnConfig.CLS_ID, TextCnnConfig.SEP_ID,
        TextCnnConfig.PAD_ID);
  }

  /**
   * The ids to feed as one row of {@code token_ids}; equal to {@link TextCnn#prepareTokens} of a
   * model with this contract for every input.
   *
   * @throws IllegalArgumentException if a kept id is outside {@code [0, vocabSize)}
   */
  public long[] prepare(int[] tokenIds) {
    int from = 0;
    int to = tokenIds.length;
    if (stripSpecialTokens) {
      if (to > from && tokenIds[from] == clsId) {
        from++;
      }
      if (to > from && tokenIds[to - 1] == sepId) {
        to--;
      }
    }
    int n = Math.min(to - from, maxTokens);
    long[] ids = new long[Math.max(n, minLength)];
    if (padId != 0) {
      java.util.Arrays.fill(ids, n, ids.length, padId);
    }
    for (int i = 0; i < n; i++) {
      int id = tokenIds[from + i];
      if (id < 0 || id >= vocabSize) {
        throw new IllegalArgumentException("token id " + id + " at position " + (from + i)
            + " is outside the vocabulary [0, " + vocabSize + ")");
      }
      ids[i] = id;
    }
    return ids;
  }

  /** The contract as {@code metadata_props} entries. */
  Map<String, String> toMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(VOCAB_SIZE, Integer.toString(vocabSize));
    m.put(MAX_TOKENS, Integer.toString(maxTokens));
    m.put(MIN_LENGTH, Integer.toString(minLength));
    m.put(STRIP_SPECIAL_TOKENS, Boolean.toString(stripSpecialTokens));
    m.put(CLS_ID, Integer.toString(clsId));
    m.put(SEP_ID, Integer.toString(sepId));
    m.put(PAD_ID, Integer.toString(padId));
    return m;
  }

  /**
   * Reads the contract back from {@code metadata_props}.
   *
   * @throws IllegalArgumentException naming the key that is missing or malformed
   */
  static InputContract fromMetadata(Map<String, String> m) {
    return new InputContract(intValue(m, VOCAB_SIZE), intValue(m, MAX_TOKENS),
        intValue(m, MIN_LENGTH), Boolean.parseBoolean(required(m, STRIP_SPECIAL_TOKENS)),
        intValue(m, CLS_ID), intValue(m, SEP_ID), intValue(m, PAD_ID));
  }

  private static int intValue(Map<String, String> m, String key) {
    String value = required(m, key);
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("metadata " + key + " must be an integer, got '" + value
          + "'");
    }
  }

  static String required(Map<String, String> m, String key) {
    String value = m.get(key);
    if (value == null) {
      throw new IllegalArgumentException("metadata_props lack " + key
          + ": the file was not written by OnnxExporter");
    }
    return value;
  }
}
