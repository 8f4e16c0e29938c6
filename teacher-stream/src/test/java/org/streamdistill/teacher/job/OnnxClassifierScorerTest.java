package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamdistill.teacher.model.MiniLmEncoder;
import org.streamdistill.teacher.model.TeacherBundle;
import org.streamdistill.teacher.model.TinyOnnxClassifier;

/**
 * The bring-your-own-teacher scorer against the same network computed in plain Java: a small
 * ONNX classifier written by the test, with and without a {@code token_type_ids} input, paired
 * with the all-MiniLM-L6-v2 tokenizer.
 */
class OnnxClassifierScorerTest {

  private static final int MAX_LENGTH = 16;
  private static final int SEP = 102;
  private static final List<String> LABELS = List.of("balance", "transfer", "weather", "greeting", "goodbye");
  private static final List<String> TEXTS = List.of(
      "hi",
      "what is the balance of my checking account",
      "please move two hundred dollars from my savings account into checking before friday because rent is due");

  @TempDir
  static Path dir;

  private static MiniLmEncoder reference;

  @BeforeAll
  static void openReferenceTokenizer() throws Exception {
    reference = new MiniLmEncoder(1);
  }

  @AfterAll
  static void close() {
    reference.close();
  }

  @ParameterizedTest(name = "token_type_ids input: {0}")
  @ValueSource(booleans = {true, false})
  void shouldComputeTheLogitsOfThePlainJavaNetworkForEveryTextOfAPaddedBatch(boolean withTokenTypes) throws Exception {
    // Given a small ONNX classifier, the MiniLM tokenizer.json and a label list
    TinyOnnxClassifier tiny = TinyOnnxClassifier.create(withTokenTypes, LABELS.size(), 7);
    Path model = tiny.write(dir.resolve("classifier-" + withTokenTypes + ".onnx"));
    Path tokenizer = tokenizer();
    Path labels = TinyOnnxClassifier.writeLabels(dir.resolve("labels-" + withTokenTypes + ".txt"), LABELS);

    // When the scorer scores three texts of 3, 10 and more than 16 tokens in one batch
    List<TurnScorer.Score> scores;
    List<TurnScorer.Score> alone = new ArrayList<>();
    try (TurnScorer scorer = OnnxClassifierScorer.factory(model.toString(), tokenizer.toString(), labels.toString(),
        MAX_LENGTH, 3.0, 1).open()) {
      scores = scorer.score(TEXTS);
      for (String text : TEXTS) {
        alone.add(scorer.score(List.of(text)).get(0));
      }
      // Then it names the classifier's labels, its label set and the configured temperature
      assertThat(scorer.labels()).containsExactlyElementsOf(LABELS);
      assertThat(scorer.labelSetId()).isEqualTo(TeacherBundle.labelSetId(LABELS));
      assertThat(scorer.temperature()).isEqualTo(3.0f);
      assertThat(scorer.version()).matches("onnx-classifier-[0-9a-f]{12}");
    }

    // And each text gets the MiniLM token ids, cut to 16 with [SEP] kept, and the plain-Java logits of those ids
    assertThat(scores).hasSize(TEXTS.size());
    for (int i = 0; i < TEXTS.size(); i++) {
      int[] full = reference.tokenize(TEXTS.get(i)).ids();
      boolean cut = full.length > MAX_LENGTH;
      int[] expectedIds = cut ? cutWithSep(full) : full;
      TurnScorer.Score score = scores.get(i);
      assertThat(score.tokenIds()).as("token ids of text %d", i).containsExactly(expectedIds);
      assertThat(score.truncated()).as("truncated flag of text %d", i).isEqualTo(cut);
      float[] expected = tiny.logits(expectedIds, new int[expectedIds.length]);
      assertThat(score.logits()).as("logits of text %d", i).hasSize(LABELS.size());
      for (int c = 0; c < expected.length; c++) {
        assertThat(score.logits()[c]).as("logit %d of text %d", c, i).isCloseTo(expected[c], within(1e-4f));
        // And padding does not leak into a text's logits: batched and alone agree
        assertThat(score.logits()[c]).as("batched vs alone, logit %d of text %d", c, i)
            .isCloseTo(alone.get(i).logits()[c], within(1e-5f));
      }
    }
    assertThat(scores).extracting(TurnScorer.Score::truncated).containsExactly(false, false, true);
  }

  private static int[] cutWithSep(int[] ids) {
    int[] cut = Arrays.copyOf(ids, MAX_LENGTH);
    cut[MAX_LENGTH - 1] = SEP;
    return cut;
  }

  private static Path tokenizer() throws Exception {
    Path file = dir.resolve("tokenizer.json");
    return file.toFile().exists() ? file : TinyOnnxClassifier.writeMiniLmTokenizer(file);
  }
}
