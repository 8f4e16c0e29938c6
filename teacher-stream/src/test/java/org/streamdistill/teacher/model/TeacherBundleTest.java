package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

class TeacherBundleTest {

  private static final List<String> LABELS = List.of("book_flight", "weather", "oos");
  private static final Instant CREATED = Instant.parse("2025-01-02T03:04:05Z");

  @TempDir
  Path tmp;

  @Test
  void shouldReadBackEverythingItWrote() throws IOException {
    // Given
    TeacherBundle bundle = bundle(2.0);
    Path dir = tmp.resolve("bundle");

    // When
    bundle.save(dir);
    TeacherBundle loaded = TeacherBundle.load(dir);

    // Then
    assertThat(loaded.teacherVersion()).isEqualTo(bundle.teacherVersion()).startsWith("minilm-l6-head-").hasSize(27);
    assertThat(loaded.createdAt()).isEqualTo(CREATED);
    assertThat(loaded.encoder()).isEqualTo(EncoderId.ALL_MINILM_L6_V2);
    assertThat(loaded.temperature()).isEqualTo(2.0);
    assertThat(loaded.labels()).containsExactlyElementsOf(LABELS);
    assertThat(loaded.labelSetId()).isEqualTo(bundle.labelSetId());
    assertThat(loaded.head()).isEqualTo(bundle.head());
    assertThat(loaded.fit()).isEqualTo(bundle.fit());
    assertThat(loaded.labelIndex("weather")).isEqualTo(1);
    assertThat(loaded.labelIndex("no_such_intent")).isEqualTo(-1);
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder(TeacherBundle.MANIFEST_FILE, TeacherBundle.HEAD_FILE);
  }

  @Test
  void shouldIdentifyTheLabelSetByTheSha256OfTheLabelsJoinedByNewlines() {
    // sha256("a\nb\nc") = ea7fb08b7a2dc461...
    assertThat(TeacherBundle.labelSetId(List.of("a", "b", "c"))).isEqualTo("ea7fb08b7a2dc461");
  }

  @Test
  void shouldStoreTheHeadAsLittleEndianFloat32WeightsThenBias() throws IOException {
    // Given
    TeacherBundle bundle = bundle(2.0);
    bundle.save(tmp.resolve("bundle"));

    // When
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(tmp.resolve("bundle").resolve(TeacherBundle.HEAD_FILE)))
        .order(ByteOrder.LITTLE_ENDIAN);

    // Then
    assertThat(bytes.capacity()).isEqualTo(4 * (3 * 384 + 3));
    assertThat(bytes.getFloat(0)).isEqualTo(bundle.head().weights()[0][0]);
    assertThat(bytes.getFloat(4 * 385)).isEqualTo(bundle.head().weights()[1][1]);
    assertThat(bytes.getFloat(4 * (3 * 384 + 2))).isEqualTo(bundle.head().bias()[2]);
  }

  @Test
  void shouldGiveTheSameVersionToTheSameContentAndAnotherToAnotherTemperature() {
    assertThat(bundle(2.0).teacherVersion()).isEqualTo(bundle(2.0).teacherVersion());
    assertThat(bundle(3.0).teacherVersion()).isNotEqualTo(bundle(2.0).teacherVersion());
  }

  @Test
  void shouldReplaceAnExistingBundleAndLeaveNoTemporaryFiles() throws IOException {
    // Given
    Path dir = tmp.resolve("bundle");
    bundle(2.0).save(dir);

    // When
    bundle(3.0).save(dir);

    // Then
    assertThat(TeacherBundle.load(dir).temperature()).isEqualTo(3.0);
    try (Stream<Path> entries = Files.list(tmp)) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("bundle");
    }
  }

  @Test
  void shouldRefuseToReplaceADirectoryThatIsNotABundle() throws IOException {
    // Given
    Path dir = Files.createDirectories(tmp.resolve("precious"));
    Files.writeString(dir.resolve("notes.txt"), "keep me");

    // When / Then
    assertThatThrownBy(() -> bundle(2.0).save(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exists and is not a teacher bundle");
    assertThat(Files.readString(dir.resolve("notes.txt"))).isEqualTo("keep me");
  }

  @Test
  void shouldNameTheMissingManifest() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("empty"));

    assertThatThrownBy(() -> TeacherBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage(dir.resolve("bundle.json") + ": missing; a teacher bundle holds bundle.json and head.bin");
  }

  @Test
  void shouldNameAManifestThatIsNotJson() throws IOException {
    Path dir = saved();
    Files.writeString(dir.resolve("bundle.json"), "{ not json");

    assertThatThrownBy(() -> TeacherBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageStartingWith(dir.resolve("bundle.json") + ": not valid JSON");
  }

  @Test
  void shouldNameAnUnsupportedFormatVersion() throws IOException {
    Path dir = saved();
    editManifest(dir, "\"format_version\" : 1", "\"format_version\" : 2");

    assertThatThrownBy(() -> TeacherBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage(dir.resolve("bundle.json") + ": format_version 2 is not supported; this build reads single-encoder bundles of 1");
  }

  @Test
  void shouldNameAMissingField() throws IOException {
    Path dir = saved();
    editManifest(dir, "\"temperature\"", "\"temp\"");

    assertThatThrownBy(() -> TeacherBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage(dir.resolve("bundle.json") + ": field 'temperature' is missing");
  }

  @Test
  void shouldRejectAHandEditedTemperatureBecauseTheVersionNoLongerMatches() throws IOException {
    Path dir = saved();
    editManifest(dir, "\"temperature\" : 2.0", "\"temperature\" : 5.0");

    assertThatThrownBy(() -> TeacherBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("'teacher_version'")
        .hasMessageContaining("does not match the content");
  }

  @Test
  void shouldRejectLabelsThatDoNotMatchTheLabelSetId() throws IOException {
    Path dir = saved();
    editManifest(dir, "\"weather\"", "\"weather_forecast\"");

    assertThatThrownBy(() -> TeacherBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("'label_set_id' " + TeacherBundle.labelSetId(LABELS)
            + " does not match the labels listed");
  }

  @Test
  void shouldNameATruncatedHeadFile() throws IOException {
    Path dir = saved();
    Path head = dir.resolve("head.bin");
    byte[] bytes = Files.readAllBytes(head);
    Files.write(head, java.util.Arrays.copyOf(bytes, bytes.length - 4));

    assertThatThrownBy(() -> TeacherBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage(head + ": holds 4616 bytes, expected 4620 (3 x 384 weights + 3 biases as float32)");
  }

  @Test
  void shouldCheckABundleAsOpeningItWouldWithoutStartingAnEncoder() throws IOException {
    Path dir = saved();
    BundledTeacher.check(dir);

    Path head = dir.resolve("head.bin");
    Files.write(head, java.util.Arrays.copyOf(Files.readAllBytes(head), 1000));
    assertThatThrownBy(() -> BundledTeacher.check(dir)).isInstanceOf(InvalidBundleException.class)
        .hasMessageStartingWith(head + ": holds 1000 bytes, expected 4620");
  }

  @Test
  void shouldNameACorruptedHeadFile() throws IOException {
    Path dir = saved();
    Path head = dir.resolve("head.bin");
    byte[] bytes = Files.readAllBytes(head);
    bytes[100] ^= 1;
    Files.write(head, bytes);

    assertThatThrownBy(() -> TeacherBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageStartingWith(head + ": SHA-256 is ")
        .hasMessageEndingWith("the file is corrupt or belongs to another bundle");
  }

  @Test
  void shouldNameAMissingHeadFile() throws IOException {
    Path dir = saved();
    Files.delete(dir.resolve("head.bin"));

    assertThatThrownBy(() -> TeacherBundle.load(dir))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage(dir.resolve("head.bin") + ": missing; the manifest names it as the head's parameters");
  }

  @Test
  void shouldRejectAHeadThatDoesNotFitTheLabelsOrTheEncoder() {
    SoftmaxHead narrow = SoftmaxHead.zeros(3, 10);

    assertThatThrownBy(() -> TeacherBundle.create(EncoderId.ALL_MINILM_L6_V2, 2.0, LABELS, narrow, report(), CREATED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("head takes 10-d input but encoder all-minilm-l6-v2@1.19.0-beta29 produces 384-d embeddings");
    assertThatThrownBy(() -> TeacherBundle.create(EncoderId.ALL_MINILM_L6_V2, 2.0, List.of("a", "b"),
        SoftmaxHead.zeros(3, 384), report(), CREATED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("2 labels for a head with 3 classes");
    assertThatThrownBy(() -> TeacherBundle.create(EncoderId.ALL_MINILM_L6_V2, 2.0, List.of("a", "b", "a"),
        SoftmaxHead.zeros(3, 384), report(), CREATED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label 'a' appears twice");
  }

  private Path saved() throws IOException {
    Path dir = tmp.resolve("bundle");
    bundle(2.0).save(dir);
    return dir;
  }

  private static void editManifest(Path dir, String from, String to) throws IOException {
    Path manifest = dir.resolve("bundle.json");
    String json = Files.readString(manifest, StandardCharsets.UTF_8);
    assertThat(json).contains(from);
    Files.writeString(manifest, json.replace(from, to), StandardCharsets.UTF_8);
  }

  private static TeacherBundle bundle(double temperature) {
    Random random = new Random(1);
    float[][] weights = new float[3][384];
    float[] bias = new float[3];
    for (int c = 0; c < 3; c++) {
      for (int d = 0; d < 384; d++) {
        weights[c][d] = (float) random.nextGaussian();
      }
      bias[c] = (float) random.nextGaussian();
    }
    return TeacherBundle.create(EncoderId.ALL_MINILM_L6_V2, temperature, LABELS, new SoftmaxHead(weights, bias),
        report(), CREATED);
  }

  private static FitReport report() {
    return new FitReport(300, 30, 60, 0.9, 0.5, 1.7, 0.66, 0.83, Map.of("epochs", "20", "seed", "42"));
  }
}
