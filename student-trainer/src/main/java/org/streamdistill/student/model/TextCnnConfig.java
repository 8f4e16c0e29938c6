package org.streamdistill.student.model;

import java.util.HashSet;
import java.util.List;

/**
 * Shape and input handling of a {@link TextCnn}. Immutable; {@link #defaults(int)} gives the
 * trainer's default size (embedding 64, widths 3/4/5 x 128 filters) over the teacher's BERT
 * uncased vocabulary.
 *
 * @param vocabSize number of token ids; ids outside {@code [0, vocabSize)} are rejected
 * @param embeddingDim width of a token embedding
 * @param filterWidths convolution widths in tokens, distinct; the pooled features are
 *     concatenated in this order
 * @param filtersPerWidth number of filters (output channels) of each width
 * @param maxTokens ids beyond this many (after stripping [CLS]/[SEP]) are cut
 * @param numClasses number of output logits (the teacher's label set)
 * @param dropout probability of zeroing a pooled feature during training, in [0, 1)
 * @param stripSpecialTokens drop a leading [CLS] (101) and a trailing [SEP] (102): they occur
 *     in every input, so they carry no information and cost two of ~20 positions
 * @param seed seeds the initial weights and the dropout masks
 */
public record TextCnnConfig(int vocabSize, int embeddingDim, List<Integer> filterWidths,
    int filtersPerWidth, int maxTokens, int numClasses, float dropout,
    boolean stripSpecialTokens, long seed) {

  /** BERT uncased WordPiece vocabulary size (the teacher's tokenizer). */
  public static final int BERT_UNCASED_VOCAB_SIZE = 30522;
  /** Padding id: fills sequences shorter than the widest filter; its embedding stays zero. */
  public static final int PAD_ID = 0;
  /** BERT's [CLS] id. */
  public static final int CLS_ID = 101;
  /** BERT's [SEP] id. */
  public static final int SEP_ID = 102;

  public TextCnnConfig {
    filterWidths = List.copyOf(filterWidths);
    positive("vocabSize", vocabSize);
    positive("embeddingDim", embeddingDim);
    positive("filtersPerWidth", filtersPerWidth);
    positive("maxTokens", maxTokens);
    positive("numClasses", numClasses);
    if (filterWidths.isEmpty()) {
      throw new IllegalArgumentException("filterWidths must name at least one width");
    }
    for (int w : filterWidths) {
      positive("filter width", w);
    }
    if (new HashSet<>(filterWidths).size() != filterWidths.size()) {
      throw new IllegalArgumentException(
          "filterWidths must be distinct (they name the conv tensors), got " + filterWidths);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
  }

  /**
   * Vocabulary 30522, embedding 64, widths 1 to 5 with 128 filters each, at most 32 tokens, no
   * dropout, [CLS]/[SEP] stripped, seed 42. The trainer's defaults: on CLINC150's val split, with
   * embeddings from the teacher, 128 filters learned better than 64 from the same stream and 192
   * or 256 no better, and adding widths 1 and 2 to 3/4/5 learned better again, in one pass with
   * replay (BENCHMARKS.md); dropout 0.2 to 0.5 and embedding widths 96 or 128 did not help.
   */
  public static TextCnnConfig defaults(int numClasses) {
    return new TextCnnConfig(BERT_UNCASED_VOCAB_SIZE, 64, List.of(1, 2, 3, 4, 5), 128, 32, numClasses,
        0f, true, 42L);
  }

  public TextCnnConfig withVocabSize(int value) {
    return new TextCnnConfig(value, embeddingDim, filterWidths, filtersPerWidth, maxTokens,
        numClasses, dropout, stripSpecialTokens, seed);
  }

  public TextCnnConfig withEmbeddingDim(int value) {
    return new TextCnnConfig(vocabSize, value, filterWidths, filtersPerWidth, maxTokens,
        numClasses, dropout, stripSpecialTokens, seed);
  }

  public TextCnnConfig withFilterWidths(Integer... value) {
    return new TextCnnConfig(vocabSize, embeddingDim, List.of(value), filtersPerWidth, maxTokens,
        numClasses, dropout, stripSpecialTokens, seed);
  }

  public TextCnnConfig withFiltersPerWidth(int value) {
    return new TextCnnConfig(vocabSize, embeddingDim, filterWidths, value, maxTokens, numClasses,
        dropout, stripSpecialTokens, seed);
  }

  public TextCnnConfig withMaxTokens(int value) {
    return new TextCnnConfig(vocabSize, embeddingDim, filterWidths, filtersPerWidth, value,
        numClasses, dropout, stripSpecialTokens, seed);
  }

  public TextCnnConfig withNumClasses(int value) {
    return new TextCnnConfig(vocabSize, embeddingDim, filterWidths, filtersPerWidth, maxTokens,
        value, dropout, stripSpecialTokens, seed);
  }

  public TextCnnConfig withDropout(float value) {
    return new TextCnnConfig(vocabSize, embeddingDim, filterWidths, filtersPerWidth, maxTokens,
        numClasses, value, stripSpecialTokens, seed);
  }

  public TextCnnConfig withStripSpecialTokens(boolean value) {
    return new TextCnnConfig(vocabSize, embeddingDim, filterWidths, filtersPerWidth, maxTokens,
        numClasses, dropout, value, seed);
  }

  public TextCnnConfig withSeed(long value) {
    return new TextCnnConfig(vocabSize, embeddingDim, filterWidths, filtersPerWidth, maxTokens,
        numClasses, dropout, stripSpecialTokens, value);
  }

  /** Length of the concatenated pooled feature vector: widths x filters. */
  public int featureDim() {
    return filterWidths.size() * filtersPerWidth;
  }

  /** The widest filter: shorter inputs are padded to this many positions. */
  public int maxFilterWidth() {
    int max = 0;
    for (int w : filterWidths) {
      max = Math.max(max, w);
    }
    return max;
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
  }
}
