package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Runs the real all-MiniLM-L6-v2 from the class path; one encoder serves all tests. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MiniLmEncoderTest {

  private static final int CLS = 101;
  private static final int SEP = 102;

  private MiniLmEncoder encoder;

  @BeforeAll
  void openEncoder() throws IOException {
    encoder = new MiniLmEncoder(1);
  }

  @AfterAll
  void closeEncoder() {
    encoder.close();
  }

  @Test
  void shouldTokenizeWithBertWordPieceIdsBetweenClsAndSep() {
    MiniLmEncoder.Tokenized tokenized = encoder.tokenize("How do I reset my password?");

    // bert-base-uncased vocabulary: how=2129 do=2079 i=1045 reset=25141 my=2026 password=20786 ?=1029
    assertThat(tokenized.ids()).containsExactly(CLS, 2129, 2079, 1045, 25141, 2026, 20786, 1029, SEP);
    assertThat(tokenized.truncated()).isFalse();
  }

  @Test
  void shouldTokenizeEmptyTextAsClsSep() {
    assertThat(encoder.tokenize("")).isEqualTo(new MiniLmEncoder.Tokenized(new int[] {CLS, SEP}, false));
  }

  @Test
  void shouldTruncateLongTextTo128TokensAndFlagIt() {
    // Given 1000 words, and 126 words which fit exactly with [CLS] and [SEP]
    MiniLmEncoder.Tokenized tooLong = encoder.tokenize("word ".repeat(1000));
    MiniLmEncoder.Tokenized exact = encoder.tokenize("word ".repeat(126));

    // Then
    assertThat(tooLong.length()).isEqualTo(MiniLmEncoder.MAX_TOKENS);
    assertThat(tooLong.truncated()).isTrue();
    assertThat(tooLong.ids()[0]).isEqualTo(CLS);
    assertThat(tooLong.ids()[127]).isEqualTo(SEP);
    assertThat(exact.length()).isEqualTo(128);
    assertThat(exact.truncated()).isFalse();
  }

  @Test
  void shouldNotPadSingleTexts() {
    assertThat(encoder.tokenize("hello").length()).isEqualTo(3);
  }

  @Test
  void shouldTokenizeABatchLikeOneTextAtATime() {
    List<String> texts = List.of("what's the weather like", "", "book a flight to paris");

    assertThat(encoder.tokenize(texts)).containsExactly(
        encoder.tokenize(texts.get(0)), encoder.tokenize(texts.get(1)), encoder.tokenize(texts.get(2)));
  }

  @Test
  void shouldProduceUnitLength384DimensionalEmbeddings() {
    float[][] embeddings = encoder.embed(ids("set an alarm for 7 am", "", "word ".repeat(1000)));

    assertThat(embeddings).hasNumberOfRows(3);
    for (float[] embedding : embeddings) {
      assertThat(embedding).hasSize(384);
      assertThat(norm(embedding)).isCloseTo(1.0, within(1e-5));
    }
  }

  @Test
  void shouldEmbedEachTextTheSameAloneAsInAPaddedBatch() {
    // Given texts of very different lengths, so most are padded in the batch
    List<int[]> batch = ids("hi", "can you tell me the balance of my checking account please",
        "what is the exchange rate between us dollars and euros today", "thanks");

    // When
    float[][] together = encoder.embed(batch);

    // Then
    for (int i = 0; i < batch.size(); i++) {
      float[] alone = encoder.embed(List.of(batch.get(i)))[0];
      for (int d = 0; d < alone.length; d++) {
        assertThat(together[i][d]).as("text %d, dimension %d", i, d).isCloseTo(alone[d], within(1e-4f));
      }
    }
  }

  @Test
  void shouldPlaceAParaphraseCloserThanAnUnrelatedSentence() {
    float[][] e = encoder.embed(ids("what's the weather going to be like tomorrow",
        "will it rain tomorrow", "transfer 100 dollars to my savings account"));

    double paraphrase = dot(e[0], e[1]);
    double unrelated = dot(e[0], e[2]);
    assertThat(paraphrase).isGreaterThan(unrelated + 0.2);
  }

  @Test
  void shouldReturnNothingForAnEmptyBatchAndRejectEmptySequences() {
    assertThat(encoder.embed(List.of())).isEmpty();
    assertThatThrownBy(() -> encoder.embed(List.of(new int[0])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token sequences must hold 1..128 ids, got 0");
    assertThatThrownBy(() -> encoder.embed(List.of(new int[129])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token sequences must hold 1..128 ids, got 129");
  }

  @Test
  void shouldMeanPoolOnlyUnmaskedPositionsAndNormalise() {
    // Given a batch of two sequences, lengths 2 and 1, padded to 2, dimension 2
    float[] hidden = {
        1f, 0f, 3f, 0f, // sequence 0: tokens [1, 0] and [3, 0] -> mean [2, 0]
        0f, 2f, 99f, 99f // sequence 1: token [0, 2], then padding that must be ignored
    };

    // When
    float[][] pooled = MiniLmEncoder.meanPoolAndNormalise(hidden, List.of(new int[2], new int[1]), 2, 2);

    // Then
    assertThat(pooled[0]).containsExactly(1f, 0f);
    assertThat(pooled[1]).containsExactly(0f, 1f);
  }

  @Test
  void shouldPoolTheFirstTokenOnlyAndNormaliseForClsPooling() {
    // Given a batch of two sequences padded to 2, dimension 2
    float[] hidden = {
        3f, 4f, 100f, 100f, // sequence 0: [CLS] state [3, 4], then a token that must be ignored
        0f, -2f, 7f, 7f // sequence 1: [CLS] state [0, -2]
    };

    // When
    float[][] pooled = MiniLmEncoder.clsPoolAndNormalise(hidden, 2, 2, 2);

    // Then
    assertThat(pooled[0]).containsExactly(0.6f, 0.8f);
    assertThat(pooled[1]).containsExactly(0f, -1f);
  }

  @Test
  void shouldFeedE5ItsQueryPrefixAfterClsButHandOutThePlainTextsIds() throws IOException {
    try (MiniLmEncoder e5 = new MiniLmEncoder(EncoderId.E5_SMALL_V2_Q, 1)) {
      int[] plain = e5.tokenize("how do i reset my password").ids();

      // the ids handed out are the plain text's, the same as MiniLM's
      assertThat(plain).isEqualTo(encoder.tokenize("how do i reset my password").ids());
      // the model is fed what tokenizing "query: <text>" gives
      assertThat(e5.modelInput(plain)).isEqualTo(e5.tokenize("query: how do i reset my password").ids());
      assertThat(encoder.modelInput(plain)).isEqualTo(plain);
      // a 128-token text still embeds (the prefix may take it past 128)
      int[] longest = e5.tokenize("word ".repeat(1000)).ids();
      assertThat(e5.embed(List.of(longest))[0]).hasSize(384);
    }
  }

  @Test
  void shouldTokenizeAlikeWithEveryEncodersTokenizer() throws IOException {
    // Given every encoder's tokenizer.json (loaded without its model)
    List<String> texts = List.of("How do I reset my PIN?", "transfer $50 to Zoë's account, ASAP!!", "",
        "what's the weather in são paulo tomorrow", "word ".repeat(200));
    for (EncoderId id : EncoderId.values()) {
      try (java.io.InputStream in = EncoderId.class.getResourceAsStream(id.tokenizerResource());
           ai.djl.huggingface.tokenizers.HuggingFaceTokenizer tokenizer =
               ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(in, java.util.Map.of(
                   "padding", "false", "truncation", "true", "maxLength", "128"))) {
        assertThat(id.vocabulary()).isEqualTo(EncoderId.VOCABULARY_BERT_UNCASED);
        for (String text : texts) {
          long[] ids = tokenizer.encode(text).getIds();
          int[] asInt = java.util.Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
          // Then every one gives the ids MiniLM's gives, which the student's vocabulary indexes
          assertThat(asInt).as("%s on '%s'", id.shortName(), text).isEqualTo(encoder.tokenize(text).ids());
        }
      }
    }
  }

  private List<int[]> ids(String... texts) {
    List<int[]> ids = new ArrayList<>();
    for (String text : texts) {
      ids.add(encoder.tokenize(text).ids());
    }
    return ids;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double norm(float[] a) {
    return Math.sqrt(dot(a, a));
  }
}
