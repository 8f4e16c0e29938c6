package org.streamdistill.teacher.selection;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.StudentCheckpoint;

class ChampionRecordsTest {

  private final ChampionRecords records = new ChampionRecords("student");

  @Test
  void shouldLoadAPromotedVersionOnceItsExportIsKnownInEitherOrder() {
    // Given a promotion of v3 before its checkpoint record
    assertThat(records.onPromotion(promotion("student", "PROMOTE", null, "student-v3"))).isEmpty();

    // When the checkpoint records of v2 and v3 arrive
    assertThat(records.onCheckpoint(checkpoint("student", "student-v2", "file:/models/student-v2.onnx"))).isEmpty();
    Optional<ChampionRecords.Export> loaded = records.onCheckpoint(checkpoint("student", "student-v3",
        "file:/models/student-v3.onnx"));

    // Then v3 is loaded, once
    assertThat(loaded).contains(new ChampionRecords.Export("student-v3", Path.of("/models/student-v3.onnx")));
    assertThat(records.onCheckpoint(checkpoint("student", "student-v3", "file:/models/student-v3.onnx"))).isEmpty();
    // and a rollback to v2 loads v2
    assertThat(records.onPromotion(promotion("student", "ROLLBACK", "student-v3", "student-v2")))
        .contains(new ChampionRecords.Export("student-v2", Path.of("/models/student-v2.onnx")));
  }

  @Test
  void shouldAdoptTheChampionAHoldNamesOnlyWhenItKnowsNone() {
    records.onCheckpoint(checkpoint("student", "student-v5", "file:/m/student-v5.onnx"));
    records.onCheckpoint(checkpoint("student", "student-v6", "file:/m/student-v6.onnx"));

    assertThat(records.onPromotion(promotion("student", "HOLD", "student-v5", "student-v6")))
        .contains(new ChampionRecords.Export("student-v5", Path.of("/m/student-v5.onnx")));
    assertThat(records.onPromotion(promotion("student", "HOLD", "student-v6", "student-v5"))).isEmpty();
  }

  @Test
  void shouldIgnoreOtherModelLinesAndExportsThatAreNotFiles() {
    records.onPromotion(promotion("student", "PROMOTE", null, "student-v1"));

    assertThat(records.onCheckpoint(checkpoint("other", "student-v1", "file:/m/student-v1.onnx"))).isEmpty();
    assertThat(records.onCheckpoint(checkpoint("student", "student-v1", "https://example.org/v1.onnx"))).isEmpty();
    assertThat(records.onPromotion(promotion("other", "PROMOTE", null, "student-v9"))).isEmpty();
  }

  @Test
  void shouldLoadEachNewCheckpointAndIgnoreDecisionsWhenFollowingTheLatest() {
    // Given records that follow the latest checkpoint
    ChampionRecords latest = new ChampionRecords("student", true);

    // When checkpoints and a promotion of an older version arrive
    Optional<ChampionRecords.Export> first = latest.onCheckpoint(checkpoint("student", "student-v1",
        "file:/m/student-v1.onnx"));
    Optional<ChampionRecords.Export> second = latest.onCheckpoint(checkpoint("student", "student-v2",
        "file:/m/student-v2.onnx"));
    Optional<ChampionRecords.Export> promoted = latest.onPromotion(promotion("student", "PROMOTE", null,
        "student-v1"));

    // Then each checkpoint is loaded in turn, and the decision changes nothing
    assertThat(first).contains(new ChampionRecords.Export("student-v1", Path.of("/m/student-v1.onnx")));
    assertThat(second).contains(new ChampionRecords.Export("student-v2", Path.of("/m/student-v2.onnx")));
    assertThat(promoted).isEmpty();
    // and other model lines still do not count
    assertThat(latest.onCheckpoint(checkpoint("other", "other-v9", "file:/m/other-v9.onnx"))).isEmpty();
  }

  private static StudentCheckpoint checkpoint(String model, String version, String onnx) {
    return StudentCheckpoint.newBuilder().setModelName(model).setModelVersion(version).setSamplesSeen(1)
        .setOffsets(Map.of()).setWeightsUri("file:/m/" + version + ".ckpt").setOnnxUri(onnx).setLabelSetId("l")
        .setCreatedAt(Instant.EPOCH).build();
  }

  private static PromotionEvent promotion(String model, String decision, String from, String to) {
    return PromotionEvent.newBuilder().setModelName(model).setDecision(decision).setFromVersion(from)
        .setToVersion(to).setDecidedAt(Instant.EPOCH).setPairedTurns(0).setChallengerOnlyCorrect(0)
        .setChampionOnlyCorrect(0).setChampionScore(0).setChallengerScore(0).setMetric("gold").setReason("test")
        .build();
  }
}
