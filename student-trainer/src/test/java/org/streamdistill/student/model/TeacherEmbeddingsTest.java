package org.streamdistill.student.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TeacherEmbeddingsTest {

  @Test
  void shouldProjectOntoTheTopComponentsAndScaleToTheRequestedRms() {
    // Given 5 rows of width 2 on the line y = x (plus a padding row): all variance lies along
    // (1, 1)/sqrt 2, so the one-component projection of row r is its signed distance from the
    // mean along that line: rows (0,0) (1,1) (2,2) (3,3) (4,4) (5,5) have mean (2.5, 2.5) and
    // coordinates sqrt 2 * (r - 2.5).
    float[] rows = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    TeacherEmbeddings teacher = TeacherEmbeddings.of(rows, 6, 2);

    // When
    float[] table = teacher.projected(1, 0.5f);

    // Then: row 0 (padding) is zero; rows 1..5 are proportional to -1.5, -0.5, 0.5, 1.5, 2.5
    // with the root-mean-square over those 5 rows equal to 0.5:
    // sum of squares 2.25+0.25+0.25+2.25+6.25 = 11.25, rms sqrt(11.25/5) = 1.5, scale 1/3.
    assertThat(table).containsExactly(new float[] {0f, -0.5f, -1 / 6f, 1 / 6f, 0.5f, 2.5f / 3}, within(1e-6f));
  }

  @Test
  void shouldKeepTheGeometryOfTheRowsUpToScaleWhenNoDimensionIsDropped() {
    // Given 4 rows of width 3 besides padding.
    float[] rows = {0, 0, 0, 1, 2, 0, -1, 0, 3, 2, 2, 2, 0, -3, 1};
    TeacherEmbeddings teacher = TeacherEmbeddings.of(rows, 5, 3);

    // When all 3 components are kept
    float[] table = teacher.projected(3, 1f);

    // Then pairwise distances between non-padding rows keep their ratios (a rotation and one scale).
    double scale = distance(table, 1, 2, 3) / distance(rows, 1, 2, 3);
    for (int a = 1; a < 5; a++) {
      for (int b = a + 1; b < 5; b++) {
        assertThat(distance(table, a, b, 3)).isCloseTo(scale * distance(rows, a, b, 3), within(1e-5));
      }
    }
    double sumSquares = 0;
    for (int i = 3; i < table.length; i++) {
      sumSquares += table[i] * table[i];
    }
    assertThat(Math.sqrt(sumSquares / 12)).isCloseTo(1.0, within(1e-6));
  }

  @Test
  void shouldReplaceTheEmbeddingOfAModel() {
    // Given a tiny model and a table with a zero padding row
    TextCnnConfig config = new TextCnnConfig(4, 2, java.util.List.of(1), 2, 5, 3, 0f, false, 1L);
    TextCnn model = new TextCnn(config);
    long version = model.parameter(TextCnn.EMBEDDING).version();
    float[] table = {0, 0, 1, 2, 3, 4, 5, 6};

    // When
    TeacherEmbeddings.initialise(model, table);

    // Then
    assertThat(model.parameter(TextCnn.EMBEDDING).values()).containsExactly(table);
    assertThat(model.parameter(TextCnn.EMBEDDING).version()).isGreaterThan(version);
    assertThatThrownBy(() -> TeacherEmbeddings.initialise(model, new float[] {1, 0, 1, 2, 3, 4, 5, 6}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("padding");
    assertThatThrownBy(() -> TeacherEmbeddings.initialise(model, new float[6]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 values");
  }

  @Test
  void shouldReadTheTeachersWordEmbeddingsFromTheMiniLmJar() throws Exception {
    // When
    TeacherEmbeddings teacher = TeacherEmbeddings.readFromClassPath();

    // Then: BERT uncased vocabulary x MiniLM width; wider students are refused.
    assertThat(teacher.rows()).isEqualTo(TextCnnConfig.BERT_UNCASED_VOCAB_SIZE);
    assertThat(teacher.width()).isEqualTo(384);
    assertThatThrownBy(() -> teacher.projected(385, 0.1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("385 exceeds the teacher's 384");
  }

  private static double distance(float[] rows, int a, int b, int width) {
    double sum = 0;
    for (int j = 0; j < width; j++) {
      double d = rows[a * width + j] - rows[b * width + j];
      sum += d * d;
    }
    return Math.sqrt(sum);
  }
}
