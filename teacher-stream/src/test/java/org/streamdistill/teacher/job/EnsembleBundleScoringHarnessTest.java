package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.schemas.registry.InMemorySchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.teacher.model.EnsembleBundle;
import org.streamdistill.teacher.model.EnsembleTeacher;
import org.streamdistill.teacher.model.PrototypeTeachers;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * The scoring operator with the production scorer ({@link BundleTurnScorer}, what {@code
 * teacher.bundle} opens) over an ensemble bundle: soft labels come out stamped with the
 * ensemble's version, its temperature and MiniLM's token ids.
 */
class EnsembleBundleScoringHarnessTest {

  private static final Map<String, InMemorySchemaRegistryClient> REGISTRIES = new ConcurrentHashMap<>();
  private static final long RECEIVED = Instant.parse("2026-12-03T12:00:00Z").toEpochMilli();

  @TempDir
  Path tmp;

  @Test
  void shouldPublishSoftLabelsFromAnEnsembleBundleThroughTheJobsScorer() throws Exception {
    // Given an ensemble bundle (MiniLM fp32 + int8) and the scorer factory the job builds from teacher.bundle
    EnsembleBundle ensemble = PrototypeTeachers.minilmEnsemble(3.0);
    Path dir = tmp.resolve("ensemble");
    ensemble.save(dir);
    TurnScorer.Factory factory = BundleTurnScorer.factory(dir.toString(), 1);
    String id = "ensemble-" + System.nanoTime();
    InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    REGISTRIES.put(id, registry);
    AvroWireCodec<DialogueTurn> turns = new AvroWireCodec<>(registry, Topics.TURNS.valueSubject(), DialogueTurn.class);
    AvroWireCodec<SoftLabel> labels = new AvroWireCodec<>(registry, Topics.SOFT_LABELS.valueSubject(), SoftLabel.class);
    TeacherScoringOperator operator = new TeacherScoringOperator(factory, () -> REGISTRIES.get(id),
        Topics.TURNS, Topics.SOFT_LABELS, 8, 60_000, 1_000, 0, 1_024, 0.5);
    List<String> texts = List.of("will it rain tomorrow", "move 50 dollars to savings");
    List<SoftLabel> out = new ArrayList<>();
    try (OneInputStreamOperatorTestHarness<KafkaRecordBytes, OutgoingRecord> harness =
             new OneInputStreamOperatorTestHarness<>(operator)) {
      harness.open();

      // When two turns are scored
      for (int i = 0; i < texts.size(); i++) {
        DialogueTurn turn = DialogueTurn.newBuilder().setTurnId("t-" + i).setConversationId("conv").setTurnIndex(i)
            .setSpeaker("user").setText(texts.get(i)).setEventTime(Instant.ofEpochMilli(RECEIVED)).setSource("test")
            .setGoldLabel(null).setHeldOut(false).build();
        harness.processElement(new StreamRecord<>(new KafkaRecordBytes("dialogue.turns", 0, i, RECEIVED,
            "conv".getBytes(StandardCharsets.UTF_8), turns.encode(turn))));
      }
      harness.prepareSnapshotPreBarrier(1);
      for (Object o : harness.getOutput()) {
        if (o instanceof StreamRecord<?> r && ((OutgoingRecord) r.getValue()).topic.equals("teacher.soft-labels")) {
          out.add(labels.decode(((OutgoingRecord) r.getValue()).value));
        }
      }
    } finally {
      REGISTRIES.remove(id);
    }

    // Then each soft label carries the ensemble's identity, logits and temperature, and MiniLM's token ids
    List<TeacherScore> expected;
    try (EnsembleTeacher teacher = EnsembleTeacher.open(dir, 1)) {
      expected = teacher.score(texts);
    }
    assertThat(out).extracting(SoftLabel::getTurnId).containsExactly("t-0", "t-1");
    assertThat(out).extracting(SoftLabel::getTeacherLabel).containsExactly("weather", "transfer");
    for (int i = 0; i < out.size(); i++) {
      SoftLabel label = out.get(i);
      assertThat(label.getTeacherVersion()).isEqualTo(ensemble.teacherVersion());
      assertThat(label.getTemperature()).isEqualTo(3.0f);
      assertThat(label.getLabelSetId()).isEqualTo(ensemble.labelSetId());
      assertThat(label.getTokenIds()).containsExactlyElementsOf(
          java.util.Arrays.stream(expected.get(i).tokenIds()).boxed().toList());
      float[] logits = expected.get(i).logits();
      assertThat(label.getLogits()).hasSize(3);
      for (int c = 0; c < 3; c++) {
        assertThat(label.getLogits().get(c)).isCloseTo(logits[c], within(1e-5f));
      }
    }
  }
}
