package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.SoftLabel;

/** Every reason a decoded soft label is refused, with the message a dead letter carries. */
class SoftLabelValidatorTest {

  private static final SoftLabel VALID = TrainingRecords.softLabel(1, false);

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setLabelSetId("other"),
            "soft label of turn t1 uses label set other but this student learns label set labels-test"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setLogits(List.of(1f, 2f)),
            "soft label of turn t1 has 2 logits, expected 3"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setLogits(List.of(1f, Float.NaN, 2f)),
            "soft label of turn t1 holds a non-finite logit NaN"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setTokenIds(List.of()),
            "soft label of turn t1 has no token ids"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setTokenIds(List.of(101, 30522)),
            "soft label of turn t1 holds token id 30522 outside the vocabulary [0, 30522)"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setTeacherIndex(-1),
            "soft label of turn t1 has teacher index -1 outside [0, 3)"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setEventTime(Instant.ofEpochMilli(-1)),
            "soft label of turn t1 has event time 1969-12-31T23:59:59.999Z, before 1970"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setGoldIndex(3).setGoldLabel("x"),
            "soft label of turn t1 has gold index 3 outside [0, 3)"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setTemperature(0f),
            "soft label of turn t1 has temperature 0.0; it must be > 0"));
  }

  @ParameterizedTest
  @MethodSource("refusals")
  void shouldRefuseALabelThatDoesNotFitTheModel(UnaryOperator<SoftLabel.Builder> change, String message) {
    SoftLabel label = change.apply(SoftLabel.newBuilder(VALID)).build();

    assertThatThrownBy(() -> SoftLabelValidator.validate(label, "labels-test", 3, 30_522))
        .isInstanceOf(InvalidSoftLabelException.class).hasMessage(message);
  }

  static Stream<Arguments> goldOnlyRefusals() {
    return Stream.of(
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setGoldIndex(null).setGoldLabel(null),
            "soft label of turn t1 was not scored by the teacher (teacher_scored is false) and has no gold label: "
                + "there is nothing to learn from"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setLogits(List.of(1f, 2f, 3f)),
            "soft label of turn t1 was not scored by the teacher (teacher_scored is false) but holds 3 logits and "
                + "teacher index -1; a gold-only record has no logits and teacher index -1"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setTeacherIndex(0),
            "soft label of turn t1 was not scored by the teacher (teacher_scored is false) but holds 0 logits and "
                + "teacher index 0; a gold-only record has no logits and teacher index -1"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setLabelCount(4),
            "soft label of turn t1 has label_count 4, expected 3"),
        Arguments.of((UnaryOperator<SoftLabel.Builder>) b -> b.setGoldIndex(3).setGoldLabel("x"),
            "soft label of turn t1 has gold index 3 outside [0, 3)"));
  }

  @ParameterizedTest
  @MethodSource("goldOnlyRefusals")
  void shouldRefuseAGoldOnlyLabelThatCouldNotTeachFromGoldAlone(UnaryOperator<SoftLabel.Builder> change,
                                                               String message) {
    SoftLabel label = change.apply(SoftLabel.newBuilder(TrainingRecords.goldOnly(1, 2, false))).build();

    assertThatThrownBy(() -> SoftLabelValidator.validate(label, "labels-test", 3, 30_522))
        .isInstanceOf(InvalidSoftLabelException.class).hasMessage(message);
  }

  @Test
  void shouldAcceptAGoldOnlyLabelWithoutLogitsOrTeacherIndex() {
    SoftLabel goldOnly = TrainingRecords.goldOnly(1, 2, false);

    assertThatCode(() -> SoftLabelValidator.validate(goldOnly, "labels-test", 3, 30_522)).doesNotThrowAnyException();
    assertThatCode(() -> SoftLabelValidator.requireFullLogits(goldOnly)).doesNotThrowAnyException();
  }

  @Test
  void shouldAcceptAValidLabel() {
    assertThatCode(() -> SoftLabelValidator.validate(VALID, "labels-test", 3, 30_522)).doesNotThrowAnyException();
    assertThatCode(() -> SoftLabelValidator.requireFullLogits(VALID)).doesNotThrowAnyException();
  }

  @Test
  void shouldRefuseALabelCompactedToItsTopKLogits() {
    SoftLabel compacted = SoftLabel.newBuilder(VALID).setTopKIndices(List.of(1, 0)).setLogits(List.of(3f, 0f))
        .setRemainingMass(0.1f).build();

    assertThatThrownBy(() -> SoftLabelValidator.requireFullLogits(compacted))
        .isInstanceOf(InvalidSoftLabelException.class)
        .hasMessage("soft label of turn t1 is compacted to its top 2 logits (top_k_indices is set), but this student "
            + "learns from the full logits of every label: run the teacher with teacher.soft-labels.top-k=0");
  }
}
