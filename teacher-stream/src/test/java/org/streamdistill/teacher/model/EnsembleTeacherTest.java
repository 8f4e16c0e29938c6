package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The int8 and the ensemble teacher on the real encoders (MiniLM-L6 fp32 and int8), with
 * prototype heads ({@link PrototypeTeachers}) instead of fitted ones.
 */
class EnsembleTeacherTest {

  private static final List<String> TEXTS = List.of(
      "will it rain tomorrow", "please set an alarm for 7 am", "move 50 dollars to savings", "");

  private static EnsembleBundle ensemble;

  @TempDir
  Path tmp;

  @BeforeAll
  static void buildBundles() throws IOException {
    ensemble = PrototypeTeachers.minilmEnsemble(2.0);
  }

  @Test
  void shouldScoreWithTheWeightedMeanOfItsMembersCalibratedLogProbabilities() throws IOException {
    // Given the ensemble saved, and opened the way the job opens any bundle
    Path dir = tmp.resolve("ensemble");
    ensemble.save(dir);
    List<TeacherScore> fp32;
    List<TeacherScore> int8;
    try (Teacher a = Teacher.open(saved(ensemble.members().get(0), "a"), 1);
         Teacher b = Teacher.open(saved(ensemble.members().get(1), "b"), 1)) {
      fp32 = a.score(TEXTS);
      int8 = b.score(TEXTS);
    }

    try (BundledTeacher teacher = BundledTeacher.open(dir, 1)) {
      // When
      List<TeacherScore> scores = teacher.score(TEXTS);

      // Then it is the ensemble, and each score combines the members' with weights 0.6 / 0.4 and T_cal 1.25
      assertThat(teacher).isInstanceOf(EnsembleTeacher.class);
      assertThat(teacher.version()).isEqualTo(ensemble.teacherVersion());
      assertThat(teacher.temperature()).isEqualTo(2.0);
      assertThat(teacher.labels()).containsExactlyElementsOf(PrototypeTeachers.LABELS);
      assertThat(scores.subList(0, 3)).extracting(TeacherScore::topIndex).containsExactly(0, 2, 1);
      for (int i = 0; i < TEXTS.size(); i++) {
        double[] logA = EnsembleLogits.logSoftmax(fp32.get(i).logits());
        double[] logB = EnsembleLogits.logSoftmax(int8.get(i).logits());
        float[] expected = new float[3];
        for (int c = 0; c < 3; c++) {
          expected[c] = (float) ((0.6 * logA[c] + 0.4 * logB[c]) / 1.25);
        }
        assertThat(scores.get(i).logits()).as("text %d", i).containsExactly(expected, within(1e-5f));
        // the token ids are MiniLM's (BERT-uncased) ids, as a single MiniLM teacher reports them
        assertThat(scores.get(i).tokenIds()).isEqualTo(fp32.get(i).tokenIds());
      }
      assertThat(scores.get(3).tokenIds()).containsExactly(101, 102);
      float[] soft = teacher.softLabels(scores.get(0));
      assertThat(soft[0] + soft[1] + soft[2]).isCloseTo(1f, within(1e-6f));
    }
  }

  @Test
  void shouldOpenAnInt8BundleAsASingleTeacherOnTheInt8Encoder() throws IOException {
    Path dir = saved(ensemble.members().get(1), "int8");

    try (BundledTeacher teacher = BundledTeacher.open(dir, 1)) {
      assertThat(teacher).isInstanceOf(Teacher.class);
      assertThat(((Teacher) teacher).bundle().encoder()).isEqualTo(EncoderId.ALL_MINILM_L6_V2_Q);
      assertThat(teacher.version()).startsWith("minilm-l6-q-head-");
      assertThat(teacher.score(TEXTS.subList(0, 3))).extracting(TeacherScore::topIndex).containsExactly(0, 2, 1);
    }
  }

  @Test
  void shouldRefuseAnInt8HeadNextToTheFp32Encoder() throws IOException {
    TeacherBundle int8 = ensemble.members().get(1);
    MiniLmEncoder fp32 = new MiniLmEncoder(EncoderId.ALL_MINILM_L6_V2, 1);
    try {
      assertThatThrownBy(() -> new Teacher(int8, fp32))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("bundle " + int8.teacherVersion() + " was fitted on encoder all-minilm-l6-v2-q@1.19.0-beta29"
              + " but the encoder given is all-minilm-l6-v2@1.19.0-beta29");
    } finally {
      fp32.close();
    }
  }

  @Test
  void shouldRefuseMembersGivenInAnotherOrderThanTheBundles() throws IOException {
    Teacher a = new Teacher(ensemble.members().get(0), new MiniLmEncoder(EncoderId.ALL_MINILM_L6_V2, 1));
    Teacher b = new Teacher(ensemble.members().get(1), new MiniLmEncoder(EncoderId.ALL_MINILM_L6_V2_Q, 1));
    try {
      assertThatThrownBy(() -> new EnsembleTeacher(ensemble, List.of(b, a)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("member 0 of ensemble " + ensemble.teacherVersion() + " is "
              + ensemble.members().get(0).teacherVersion() + " but the teacher given is " + b.version());
    } finally {
      a.close();
      b.close();
    }
  }

  private Path saved(TeacherBundle bundle, String name) throws IOException {
    Path dir = tmp.resolve(name);
    bundle.save(dir);
    return dir;
  }
}
