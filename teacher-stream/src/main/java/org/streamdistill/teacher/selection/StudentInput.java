package org.streamdistill.teacher.selection;

import java.util.Map;

/**
 * How an exported student wants its {@code token_ids}: the input contract the trainer's exporter
 * writes into the ONNX file's {@code metadata_props} ({@code streamdistill.input.*}), read here
 * from the file alone, so the teacher job needs no code of the trainer. Raw WordPiece ids
 * (all-MiniLM-L6-v2's tokenizer) lose a leading [CLS] and a trailing [SEP] when asked, are cut to
 * {@code maxTokens} and padded with {@code padId} to at least {@code minLength}.
 */
record StudentInput(int vocabSize, int maxTokens, int minLength, boolean stripSpecialTokens, int clsId, int sepId,
                    int padId) {

  static final String PREFIX = "streamdistill.input.";

  /**
   * The contract in {@code metadata}.
   *
   * @throws IllegalArgumentException naming the key that is missing or not a number
   */
  static StudentInput fromMetadata(Map<String, String> metadata) {
    return new StudentInput(number(metadata, "vocab_size"), number(metadata, "max_tokens"),
        number(metadata, "min_length"), Boolean.parseBoolean(required(metadata, "strip_special_tokens")),
        number(metadata, "cls_id"), number(metadata, "sep_id"), number(metadata, "pad_id"));
  }

  /** One row of {@code token_ids}; ids outside the vocabulary become {@code padId}. */
  long[] prepare(int[] tokenIds) {
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
    long[] row = new long[Math.max(n, minLength)];
    java.util.Arrays.fill(row, padId);
    for (int i = 0; i < n; i++) {
      int id = tokenIds[from + i];
      row[i] = id >= 0 && id < vocabSize ? id : padId;
    }
    return row;
  }

  private static int number(Map<String, String> metadata, String name) {
    String value = required(metadata, name);
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("metadata " + PREFIX + name + " must be an integer, got '" + value + "'");
    }
  }

  private static String required(Map<String, String> metadata, String name) {
    String value = metadata.get(PREFIX + name);
    if (value == null) {
      throw new IllegalArgumentException("metadata_props lack " + PREFIX + name
          + ": the file is not a student export of the trainer");
    }
    return value;
  }
}
