package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ensemble and int8 bundles on disk, without running an encoder: random heads stand in for fitted ones. */
class EnsembleBundleTest {

  private static final List<String> LABELS = List.of("book_flight", "weather", "oos");
  private static final Instant CREATED = Instant.parse("2025-01-02T03:04:05Z");

  @TempDir
  Path tmp;

  @Test
  void shouldReadBackAnEnsembleWithItsMembersWeightsAndReports() throws IOException {
    // Given an ensemble of three members weighted 2:1:1
    EnsembleBundle ensemble = ensemble(new double[] {2, 1, 1}, EncoderId.ALL_MINILM_L6_V2,
        EncoderId.ALL_MINILM_L6_V2_Q, EncoderId.E5_SMALL_V2_Q);
    Path dir = tmp.resolve("ensemble");

    // When
    ensemble.save(dir);
    EnsembleBundle loaded = EnsembleBundle.load(dir);

    // Then
    assertThat(loaded.teacherVersion()).isEqualTo(ensemble.teacherVersion())
        .matches("ensemble-minilm-l6\\+minilm-l6-q\\+e5-small-q-[0-9a-f]{12}");
    assertThat(loaded.weights()).containsExactly(0.5, 0.25, 0.25);
    assertThat(loaded.calibrationTemperature()).isEqualTo(1.3);
    assertThat(loaded.temperature()).isEqualTo(2.0);
    assertThat(loaded.labels()).containsExactlyElementsOf(LABELS);
    assertThat(loaded.labelSetId()).isEqualTo(TeacherBundle.labelSetId(LABELS));
    assertThat(loaded.createdAt()).isEqualTo(CREATED);
    assertThat(loaded.fit()).isEqualTo(ensemble.fit());
    assertThat(loaded.members()).extracting(TeacherBundle::encoder).containsExactly(EncoderId.ALL_MINILM_L6_V2,
        EncoderId.ALL_MINILM_L6_V2_Q, EncoderId.E5_SMALL_V2_Q);
    for (int i = 0; i < 3; i++) {
      assertThat(loaded.members().get(i).head()).isEqualTo(ensemble.members().get(i).head());
      assertThat(loaded.members().get(i).fit()).isEqualTo(ensemble.members().get(i).fit());
    }
    assertThat(EnsembleBundle.isEnsemble(dir)).isTrue();
    try (Stream<Path> members = Files.list(dir.resolve("members"))) {
      assertThat(members.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("0-minilm-l6", "1-minilm-l6-q", "2-e5-small-q");
    }
    // each member directory is a bundle that loads on its own
    assertThat(TeacherBundle.load(dir.resolve("members/1-minilm-l6-q")).teacherVersion())
        .isEqualTo(ensemble.members().get(1).teacherVersion());
  }

  @Test
  void shouldReadBackAnInt8BundleWithItsScoringCost() throws IOException {
    TeacherBundle int8 = member(EncoderId.ALL_MINILM_L6_V2_Q, 3);
    Path dir = tmp.resolve("int8");

    int8.save(dir);
    TeacherBundle loaded = TeacherBundle.load(dir);

    assertThat(loaded.encoder()).isEqualTo(EncoderId.ALL_MINILM_L6_V2_Q);
    assertThat(loaded.teacherVersion()).isEqualTo(int8.teacherVersion()).startsWith("minilm-l6-q-head-");
    assertThat(loaded.fit().scoringTurnsPerSecond()).isEqualTo(612.5);
    assertThat(EnsembleBundle.isEnsemble(dir)).isFalse();
  }

  @Test
  void shouldGiveAnotherVersionForAnotherMemberSetOrWeighting() {
    String base = ensemble(new double[] {1, 1}, EncoderId.ALL_MINILM_L6_V2, EncoderId.ALL_MINILM_L6_V2_Q).teacherVersion();

    assertThat(ensemble(new double[] {1, 1}, EncoderId.ALL_MINILM_L6_V2, EncoderId.ALL_MINILM_L6_V2_Q).teacherVersion())
        .isEqualTo(base);
    assertThat(ensemble(new double[] {2, 1}, EncoderId.ALL_MINILM_L6_V2, EncoderId.ALL_MINILM_L6_V2_Q).teacherVersion())
        .isNotEqualTo(base);
    assertThat(ensemble(new double[] {1, 1}, EncoderId.ALL_MINILM_L6_V2, EncoderId.E5_SMALL_V2_Q).teacherVersion())
        .isNotEqualTo(base).startsWith("ensemble-minilm-l6+e5-small-q-");
    assertThat(ensemble(new double[] {1, 1}, EncoderId.ALL_MINILM_L6_V2_Q, EncoderId.ALL_MINILM_L6_V2).teacherVersion())
        .isNotEqualTo(base);
  }

  @Test
  void shouldRefuseAnEnsembleWhoseWeightWasEditedByHand() throws IOException {
    Path dir = tmp.resolve("edited");
    ensemble(new double[] {1, 1}, EncoderId.ALL_MINILM_L6_V2, EncoderId.ALL_MINILM_L6_V2_Q).save(dir);
    // (still summing to 1, so only the version gives the edit away)
    replaceFirst(dir, "\"weight\" : 0.5", "\"weight\" : 0.4");
    replaceFirst(dir, "\"weight\" : 0.5", "\"weight\" : 0.6");

    assertThatThrownBy(() -> EnsembleBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageStartingWith(dir.resolve("bundle.json") + ": 'teacher_version' ensemble-minilm-l6+minilm-l6-q-")
        .hasMessageContaining("does not match the content");
  }

  @Test
  void shouldRefuseAMemberFittedOnAnotherEncoderThanTheManifestNames() throws IOException {
    // Given an ensemble whose int8 member directory now holds a head fitted on the fp32 encoder
    Path dir = tmp.resolve("swapped");
    ensemble(new double[] {1, 1}, EncoderId.ALL_MINILM_L6_V2, EncoderId.ALL_MINILM_L6_V2_Q).save(dir);
    member(EncoderId.ALL_MINILM_L6_V2, 9).save(dir.resolve("members/1-minilm-l6-q"));

    // Then
    assertThatThrownBy(() -> EnsembleBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage(dir.resolve("bundle.json") + ": member 1 should be fitted on encoder all-minilm-l6-v2-q@1.19.0-beta29 but "
            + dir.toAbsolutePath().normalize().resolve("members/1-minilm-l6-q") + " holds a head for all-minilm-l6-v2@1.19.0-beta29");
  }

  @Test
  void shouldTellASingleBundleReaderThatItWasGivenAnEnsemble() throws IOException {
    Path dir = tmp.resolve("ensemble");
    EnsembleBundle ensemble = ensemble(new double[] {1, 1}, EncoderId.ALL_MINILM_L6_V2, EncoderId.ALL_MINILM_L6_V2_Q);
    ensemble.save(dir);

    assertThatThrownBy(() -> TeacherBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage(dir.resolve("bundle.json") + ": holds an ensemble teacher (" + ensemble.teacherVersion()
            + "), not a single-encoder bundle; open it with BundledTeacher.open (the teacher job's teacher.bundle "
            + "does), or pass one of its members/* directories");
  }

  @Test
  void shouldReplaceAnEnsembleWithASingleBundleAndLeaveNoMemberBehind() throws IOException {
    Path dir = tmp.resolve("bundle");
    ensemble(new double[] {1, 1}, EncoderId.ALL_MINILM_L6_V2, EncoderId.ALL_MINILM_L6_V2_Q).save(dir);

    member(EncoderId.ALL_MINILM_L6_V2_Q, 4).save(dir);

    assertThat(TeacherBundle.load(dir).encoder()).isEqualTo(EncoderId.ALL_MINILM_L6_V2_Q);
    try (Stream<Path> files = Files.list(dir); Stream<Path> siblings = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("bundle.json", "head.bin");
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("bundle");
    }
  }

  @Test
  void shouldRefuseMembersWithDifferentLabelSetsOrFewerThanTwo() {
    TeacherBundle a = member(EncoderId.ALL_MINILM_L6_V2, 1);
    TeacherBundle other = TeacherBundle.create(EncoderId.ALL_MINILM_L6_V2_Q, 2.0, List.of("x", "y", "z"),
        a.head(), report(Double.NaN), CREATED);

    assertThatThrownBy(() -> EnsembleBundle.create(List.of(a, other), new double[] {1, 1}, 1, 2, report(Double.NaN), CREATED))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("every member must be fitted on the same labels");
    assertThatThrownBy(() -> EnsembleBundle.create(List.of(a), new double[] {1}, 1, 2, report(Double.NaN), CREATED))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("an ensemble needs at least 2 members, got 1");
    assertThatThrownBy(() -> EnsembleBundle.create(List.of(a, a), new double[] {0, 0}, 1, 2, report(Double.NaN), CREATED))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("member weights must be finite, >= 0 and not all 0, got [0.0, 0.0]");
  }

  private static void replaceFirst(Path dir, String from, String to) throws IOException {
    Path manifest = dir.resolve("bundle.json");
    String json = Files.readString(manifest, StandardCharsets.UTF_8);
    assertThat(json).contains(from);
    int at = json.indexOf(from);
    Files.writeString(manifest, json.substring(0, at) + to + json.substring(at + from.length()), StandardCharsets.UTF_8);
  }

  private static EnsembleBundle ensemble(double[] weights, EncoderId... encoders) {
    List<TeacherBundle> members = Stream.of(encoders).map(e -> member(e, e.ordinal())).toList();
    return EnsembleBundle.create(members, weights, 1.3, 2.0, report(150.0), CREATED);
  }

  private static TeacherBundle member(EncoderId encoder, long seed) {
    Random random = new Random(seed);
    float[][] weights = new float[3][384];
    float[] bias = new float[3];
    for (int c = 0; c < 3; c++) {
      for (int d = 0; d < 384; d++) {
        weights[c][d] = (float) random.nextGaussian();
      }
      bias[c] = (float) random.nextGaussian();
    }
    return TeacherBundle.create(encoder, 2.0, LABELS, new SoftmaxHead(weights, bias), report(612.5), CREATED);
  }

  private static FitReport report(double turnsPerSecond) {
    return new FitReport(300, 30, 60, 0.9, 0.5, 1.7, 0.66, 0.83, Map.of("epochs", "20"), turnsPerSecond);
  }
}
