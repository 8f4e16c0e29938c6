package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a teacher whose head is built by hand: each label's weight row is the MiniLM embedding
 * of one prototype sentence, so a text scores highest on the label whose prototype it is most
 * similar to.
 */
class TeacherTest {

  private static final List<String> LABELS = List.of("weather", "transfer", "alarm");
  private static final List<String> PROTOTYPES = List.of(
      "what is the weather forecast", "send money to another account", "wake me up at six");

  private static TeacherBundle bundle;

  @TempDir
  Path tmp;

  @BeforeAll
  static void buildBundle() throws IOException {
    bundle = prototypeBundle();
  }

  @Test
  void shouldScoreABatchWithTheLabelOfTheMostSimilarPrototype() throws IOException {
    // Given a saved bundle, opened the way the Flink job opens it
    Path dir = tmp.resolve("bundle");
    bundle.save(dir);

    try (Teacher teacher = Teacher.open(dir, 1)) {
      // When
      List<TeacherScore> scores = teacher.score(List.of(
          "will it rain tomorrow", "please set an alarm for 7 am", "move 50 dollars to savings", ""));

      // Then
      assertThat(scores).hasSize(4);
      assertThat(scores.subList(0, 3)).extracting(TeacherScore::topIndex).containsExactly(0, 2, 1);
      assertThat(scores.get(0).logits()).hasSize(3);
      assertThat(scores.get(0).tokenIds()).isEqualTo(teacher.tokenize("will it rain tomorrow").ids());
      assertThat(scores.get(3).tokenIds()).containsExactly(101, 102);
      assertThat(scores).extracting(TeacherScore::truncated).containsOnly(false);
      float[] soft = teacher.softLabels(scores.get(0));
      assertThat(soft[0] + soft[1] + soft[2]).isCloseTo(1f, within(1e-6f));
      assertThat(soft[0]).isGreaterThan(soft[1]).isGreaterThan(0f);
    }
  }

  @Test
  void shouldExposeTheBundlesIdentity() throws IOException {
    try (Teacher teacher = new Teacher(bundle, new MiniLmEncoder(1))) {
      assertThat(teacher.labels()).containsExactlyElementsOf(LABELS);
      assertThat(teacher.labelIndex("alarm")).isEqualTo(2);
      assertThat(teacher.labelIndex("oos")).isEqualTo(-1);
      assertThat(teacher.temperature()).isEqualTo(4.0);
      assertThat(teacher.version()).isEqualTo(bundle.teacherVersion());
      assertThat(teacher.labelSetId()).isEqualTo(TeacherBundle.labelSetId(LABELS));
      assertThat(teacher.score(List.of())).isEmpty();
      assertThatThrownBy(() -> teacher.score(java.util.Arrays.asList("fine", null)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("text 1 of the batch is null");
    }
  }

  @Test
  void shouldFailToOpenWithAMessageNamingTheMissingBundle() {
    Path missing = tmp.resolve("nowhere");

    assertThatThrownBy(() -> Teacher.open(missing, 1))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage(missing + ": not a directory; pass the directory that 'fit' wrote");
  }

  private static TeacherBundle prototypeBundle() throws IOException {
    float[][] weights;
    try (MiniLmEncoder encoder = new MiniLmEncoder(1)) {
      List<int[]> ids = new ArrayList<>();
      for (String prototype : PROTOTYPES) {
        ids.add(encoder.tokenize(prototype).ids());
      }
      weights = encoder.embed(ids);
    }
    // Cosine similarities are close together; scale them so the soft labels are not uniform.
    SoftmaxHead head = new SoftmaxHead(weights, new float[3]).scaled(10);
    return TeacherBundle.create(EncoderId.ALL_MINILM_L6_V2, 4.0, LABELS, head,
        new FitReport(3, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1.0, Map.of()),
        Instant.parse("2025-01-01T00:00:00Z"));
  }
}
