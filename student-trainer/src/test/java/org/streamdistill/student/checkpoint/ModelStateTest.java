package org.streamdistill.student.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;
import org.streamdistill.student.optim.Parameter;

class ModelStateTest {

  private static final TextCnnConfig SMALL = new TextCnnConfig(300, 8, List.of(2, 3), 6, 12, 5,
      0.2f, true, 4L);
  private static final Map<String, String> METADATA =
      Map.of("samples_seen", "4096", "offsets", "teacher.soft-labels-0=4096");

  @TempDir
  Path dir;

  private final DistillationLoss loss = DistillationLoss.withDefaults();

  private record Batch(List<int[]> ids, List<float[]> teacher, List<Integer> gold) {}

  private static Batch batch(SplittableRandom random, TextCnnConfig config) {
    List<int[]> ids = new ArrayList<>();
    List<float[]> teacher = new ArrayList<>();
    List<Integer> gold = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      int[] seq = new int[2 + random.nextInt(14)];
      for (int p = 0; p < seq.length; p++) {
        seq[p] = 1 + random.nextInt(config.vocabSize() - 1);
      }
      ids.add(seq);
      float[] t = new float[config.numClasses()];
      for (int c = 0; c < t.length; c++) {
        t[c] = (float) random.nextGaussian(0, 2);
      }
      teacher.add(t);
      gold.add(random.nextBoolean() ? random.nextInt(t.length) : null);
    }
    return new Batch(ids, teacher, gold);
  }

  private double train(TextCnn model, Adam adam, SplittableRandom random, int steps) {
    double last = 0;
    for (int i = 0; i < steps; i++) {
      Batch b = batch(random, model.config());
      last = model.trainBatch(b.ids(), b.teacher(), 3f, b.gold(), loss, adam);
    }
    return last;
  }

  @Test
  void shouldRoundTripWeightsOptimizerStateConfigAndMetadataBitForBit() throws IOException {
    TextCnn model = new TextCnn(SMALL);
    Adam adam = new Adam(Adam.Settings.defaults().withLearningRate(0.01));
    train(model, adam, new SplittableRandom(1), 5);

    ModelState read = ModelState.fromBytes(ModelState.capture(model, adam, METADATA).toBytes());

    assertThat(read.model().config()).isEqualTo(SMALL);
    assertThat(read.model().randomState()).isEqualTo(model.randomState());
    for (Parameter p : model.parameters()) {
      assertThat(read.model().parameter(p.name()).values()).as(p.name()).isEqualTo(p.values());
    }
    Adam restored = read.optimizer().orElseThrow();
    assertThat(restored.settings()).isEqualTo(adam.settings());
    assertThat(restored.stepCount()).isEqualTo(5);
    Adam.State expected = adam.exportState();
    Adam.State actual = restored.exportState();
    assertThat(actual.firstMoments()).containsOnlyKeys(expected.firstMoments().keySet());
    for (String name : expected.firstMoments().keySet()) {
      assertThat(actual.firstMoments().get(name)).isEqualTo(expected.firstMoments().get(name));
      assertThat(actual.secondMoments().get(name)).isEqualTo(expected.secondMoments().get(name));
    }
    assertThat(read.metadata()).isEqualTo(METADATA);
  }

  @Test
  void shouldContinueTrainingIdenticallyAfterAFileRoundTripOfTheDefaultSizeModel()
      throws IOException {
    TextCnnConfig config = TextCnnConfig.defaults(151).withDropout(0.1f);
    TextCnn model = new TextCnn(config);
    Adam adam = new Adam(Adam.Settings.defaults());
    train(model, adam, new SplittableRandom(2), 2);
    Path file = dir.resolve("student.ckpt");

    ModelState.capture(model, adam, METADATA).writeAtomically(file);
    ModelState read = ModelState.read(file);
    TextCnn resumed = read.model();
    Adam resumedAdam = read.optimizer().orElseThrow();
    double originalLoss = train(model, adam, new SplittableRandom(3), 3);
    double resumedLoss = train(resumed, resumedAdam, new SplittableRandom(3), 3);

    assertThat(resumedLoss).isEqualTo(originalLoss);
    for (Parameter p : model.parameters()) {
      assertThat(resumed.parameter(p.name()).values()).as(p.name()).isEqualTo(p.values());
    }
    // 3 x (30522*64 + 3*64*64*(3+4+5)/3 ... ) floats: weights plus two moments, about 25 MB.
    long floats = model.parameters().stream().mapToLong(Parameter::size).sum();
    assertThat(Files.size(file)).isBetween(3 * floats * 4, 3 * floats * 4 + 4096);
  }

  @Test
  void shouldSnapshotAtCaptureSoThatLaterTrainingDoesNotLeakIntoTheState() throws IOException {
    TextCnn model = new TextCnn(SMALL);
    Adam adam = new Adam(Adam.Settings.defaults());
    ModelState state = ModelState.capture(model, adam, Map.of());
    float[] before = model.parameter(TextCnn.DENSE_WEIGHT).values().clone();

    train(model, adam, new SplittableRandom(4), 2);

    assertThat(state.model().parameter(TextCnn.DENSE_WEIGHT).values()).isEqualTo(before);
    assertThat(state.optimizer().orElseThrow().stepCount()).isZero();
    assertThat(ModelState.fromBytes(state.toBytes()).optimizer().orElseThrow().stepCount())
        .isZero();
  }

  @Test
  void shouldRoundTripNamedSectionsAndStillReadAVersion1FileWithoutThem() throws IOException {
    // Given a state with a section of the caller's own
    TextCnn model = new TextCnn(SMALL);
    byte[] section = {1, 2, 3, -4};
    ModelState withSection = ModelState.capture(model, null, METADATA, Map.of("replay-memory", section));

    // Then its bytes read back with the section
    byte[] bytes = withSection.toBytes();
    assertThat(ModelState.fromBytes(bytes).sections()).containsOnlyKeys("replay-memory");
    assertThat(ModelState.fromBytes(bytes).sections().get("replay-memory")).containsExactly(1, 2, 3, -4);

    // And a file as version 1 wrote it (no section count after the optimizer) still reads, without sections
    byte[] v2 = ModelState.capture(model, null, METADATA).toBytes();
    int header = ModelState.MAGIC.length() + 4 + 8;
    int payload = v2.length - header - 4;
    byte[] v1Payload = java.util.Arrays.copyOfRange(v2, header, header + payload - 4);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(v1Payload);
    java.nio.ByteBuffer v1 = java.nio.ByteBuffer.allocate(header + v1Payload.length + 4);
    v1.put(ModelState.MAGIC.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(1).putLong(v1Payload.length)
        .put(v1Payload).putInt((int) crc.getValue());
    ModelState old = ModelState.fromBytes(v1.array());
    assertThat(old.sections()).isEmpty();
    assertThat(old.metadata()).isEqualTo(METADATA);
    assertThat(old.model().parameter(TextCnn.EMBEDDING).values()).containsExactly(model.parameter(TextCnn.EMBEDDING).values());

    // And a version this build does not know is refused by name
    byte[] v9 = bytes.clone();
    java.nio.ByteBuffer.wrap(v9).putInt(ModelState.MAGIC.length(), 9);
    assertThatThrownBy(() -> ModelState.fromBytes(v9)).isInstanceOf(CorruptCheckpointException.class)
        .hasMessageContaining("format version 9 is not supported");
  }

  @Test
  void shouldStoreAModelWithoutOptimizer() throws IOException {
    TextCnn model = new TextCnn(SMALL);

    ModelState read = ModelState.fromBytes(ModelState.capture(model, null, Map.of()).toBytes());

    assertThat(read.optimizer()).isEmpty();
    assertThat(read.metadata()).isEmpty();
    assertThat(read.model().logits(new int[] {5, 6, 7})).isEqualTo(model.logits(new int[] {5, 6,
        7}));
  }

  @Test
  void shouldRefuseATruncatedFileNamingItAndTheReason() throws IOException {
    Path file = dir.resolve("student.ckpt");
    ModelState.capture(new TextCnn(SMALL), new Adam(Adam.Settings.defaults()), METADATA)
        .writeAtomically(file);
    byte[] full = Files.readAllBytes(file);

    for (int length : new int[] {full.length - 1, full.length / 2, 30}) {
      Files.write(file, Arrays.copyOf(full, length));
      assertThatThrownBy(() -> ModelState.read(file))
          .isInstanceOf(CorruptCheckpointException.class)
          .hasMessageStartingWith("checkpoint " + file + ": truncated: the header announces "
              + (full.length - 24) + " payload bytes")
          .hasMessageContaining("but there are only " + length + " bytes");
    }
    Files.write(file, Arrays.copyOf(full, 10));
    assertThatThrownBy(() -> ModelState.read(file))
        .isInstanceOf(CorruptCheckpointException.class)
        .hasMessage("checkpoint " + file + ": truncated: 10 bytes is shorter than the 20-byte "
            + "header");
  }

  @Test
  void shouldRefuseAFileWithAFlippedBit() throws IOException {
    Path file = dir.resolve("student.ckpt");
    ModelState.capture(new TextCnn(SMALL), null, METADATA).writeAtomically(file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(file, bytes);

    assertThatThrownBy(() -> ModelState.read(file))
        .isInstanceOf(CorruptCheckpointException.class)
        .hasMessageStartingWith("checkpoint " + file + ": checksum mismatch (stored ")
        .hasMessageEndingWith("the content is corrupt, use an older checkpoint");
  }

  @Test
  void shouldRefuseSomethingThatIsNotACheckpoint() throws IOException {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "hello, this is not a model at all");

    assertThatThrownBy(() -> ModelState.read(file))
        .isInstanceOf(CorruptCheckpointException.class)
        .hasMessage("checkpoint " + file + ": not a student checkpoint: it starts with "
            + "0x68656c6c6f2c2074 instead of the magic \"SDSTUDNT\"");
  }

  @Test
  void shouldReplaceAnExistingCheckpointAndLeaveNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("student.ckpt");
    TextCnn model = new TextCnn(SMALL);
    ModelState.capture(model, null, Map.of("version", "1")).writeAtomically(file);

    ModelState.capture(model, null, Map.of("version", "2")).writeAtomically(file);

    assertThat(ModelState.read(file).metadata()).containsExactlyEntriesOf(Map.of("version", "2"));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("student.ckpt");
    }
  }
}
