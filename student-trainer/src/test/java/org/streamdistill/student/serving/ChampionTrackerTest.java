package org.streamdistill.student.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.StudentCheckpoint;
import org.streamdistill.student.serving.ChampionTracker.Champion;

class ChampionTrackerTest {

  private static final URI V1 = URI.create("file:/models/student-v1.onnx");
  private static final URI V2 = URI.create("file:/models/student-v2.onnx");

  private final ChampionTracker tracker = new ChampionTracker("student", uri -> false);

  @Test
  void shouldServeAPromotedVersionOnceItsExportIsKnown() {
    assertThat(tracker.onCheckpoint(checkpoint("student", "student-v1", V1))).isEmpty();

    assertThat(tracker.onPromotion(promotion("PROMOTE", null, "student-v1")))
        .contains(new Champion("student-v1", V1));
  }

  @Test
  void shouldWaitForTheCheckpointWhenThePromotionArrivesFirst() {
    assertThat(tracker.onPromotion(promotion("PROMOTE", null, "student-v2"))).isEmpty();
    assertThat(tracker.onCheckpoint(checkpoint("student", "student-v1", V1))).isEmpty();

    assertThat(tracker.onCheckpoint(checkpoint("student", "student-v2", V2)))
        .contains(new Champion("student-v2", V2));
  }

  @Test
  void shouldSwitchBackOnRollbackAndIgnoreHolds() {
    tracker.onCheckpoint(checkpoint("student", "student-v1", V1));
    tracker.onCheckpoint(checkpoint("student", "student-v2", V2));
    tracker.onPromotion(promotion("PROMOTE", null, "student-v1"));
    assertThat(tracker.onPromotion(promotion("PROMOTE", "student-v1", "student-v2")))
        .contains(new Champion("student-v2", V2));

    assertThat(tracker.onPromotion(promotion("HOLD", "student-v2", "student-v1"))).isEmpty();
    assertThat(tracker.wantedVersion()).isEqualTo("student-v2");
    assertThat(tracker.onPromotion(promotion("ROLLBACK", "student-v2", "student-v1")))
        .contains(new Champion("student-v1", V1));
  }

  @Test
  void shouldRefuseExportsOutsideTheModelDirectoryAndKeepServingTheLastGoodOne() {
    ChampionTracker confined = new ChampionTracker("student", uri -> false, java.nio.file.Path.of("/models"));
    confined.onCheckpoint(checkpoint("student", "student-v1", V1));
    assertThat(confined.onPromotion(promotion("PROMOTE", null, "student-v1"))).contains(new Champion("student-v1", V1));

    assertThat(confined.onCheckpoint(checkpoint("student", "student-v2", URI.create("file:/models/../etc/passwd.onnx"))))
        .isEmpty();
    assertThat(confined.onCheckpoint(checkpoint("student", "student-v2", URI.create("file:/elsewhere/student-v2.onnx"))))
        .isEmpty();
    assertThat(confined.onCheckpoint(checkpoint("student", "student-v2", URI.create("file:/models/student-v2.ckpt"))))
        .isEmpty();
    assertThat(confined.onCheckpoint(checkpoint("student", "student-v2", URI.create("http://evil.example/v2.onnx"))))
        .isEmpty();
    assertThat(confined.onPromotion(promotion("PROMOTE", "student-v1", "student-v2"))).isEmpty();
    assertThat(confined.refusedCheckpoints()).isEqualTo(4);

    assertThat(confined.onCheckpoint(checkpoint("student", "student-v2", V2))).contains(new Champion("student-v2", V2));
  }

  @Test
  void shouldNotAnnounceTheSameChampionTwice() {
    tracker.onCheckpoint(checkpoint("student", "student-v1", V1));
    tracker.onPromotion(promotion("PROMOTE", null, "student-v1"));

    assertThat(tracker.onPromotion(promotion("PROMOTE", null, "student-v1"))).isEmpty();
    assertThat(tracker.onCheckpoint(checkpoint("student", "student-v1", V1))).isEmpty();
  }

  @Test
  void shouldAdoptTheServingChampionOfAHoldWhenItKnowsNoChampion() {
    // model.promotions compacted to its latest event, a HOLD naming the champion in from_version.
    tracker.onCheckpoint(checkpoint("student", "student-v1", V1));

    assertThat(tracker.onPromotion(promotion("HOLD", "student-v1", "student-v2")))
        .contains(new Champion("student-v1", V1));
  }

  @Test
  void shouldIgnoreOtherModelLinesAndCheckpointsWithoutExport() {
    tracker.onCheckpoint(checkpoint("other", "other-v1", V1));
    tracker.onCheckpoint(checkpoint("student", "student-v1", null));

    assertThat(tracker.onPromotion(promotion("PROMOTE", null, "student-v1"))).isEmpty();
    assertThat(tracker.onPromotion(PromotionEvent.newBuilder(promotion("PROMOTE", null, "other-v1"))
        .setModelName("other").build())).isEmpty();
    assertThat(tracker.wantedVersion()).isEqualTo("student-v1");
  }

  @Test
  void shouldLookBesideTheNewestExportWhenTheChampionsRecordWasCompactedAway() {
    Set<URI> existing = Set.of(URI.create("file:/models/student-v3.onnx"));
    ChampionTracker compacted = new ChampionTracker("student", existing::contains);
    compacted.onCheckpoint(checkpoint("student", "student-v5", URI.create("file:/models/student-v5.onnx")));

    assertThat(compacted.onPromotion(promotion("PROMOTE", null, "student-v4"))).isEmpty();
    assertThat(compacted.onPromotion(promotion("PROMOTE", "student-v4", "student-v3")))
        .contains(new Champion("student-v3", URI.create("file:/models/student-v3.onnx")));
  }

  static StudentCheckpoint checkpoint(String model, String version, URI onnx) {
    return StudentCheckpoint.newBuilder()
        .setModelName(model)
        .setModelVersion(version)
        .setParentVersion(null)
        .setSamplesSeen(100)
        .setOffsets(Map.of("teacher.soft-labels-0", 100L))
        .setWeightsUri("file:/models/" + version + ".ckpt")
        .setOnnxUri(onnx == null ? null : onnx.toString())
        .setLabelSetId("labels")
        .setCreatedAt(Instant.ofEpochMilli(1_000))
        .build();
  }

  static PromotionEvent promotion(String decision, String from, String to) {
    return PromotionEvent.newBuilder()
        .setModelName("student")
        .setDecision(decision)
        .setFromVersion(from)
        .setToVersion(to)
        .setDecidedAt(Instant.ofEpochMilli(2_000))
        .setPairedTurns(200)
        .setChallengerOnlyCorrect(10)
        .setChampionOnlyCorrect(2)
        .setChampionScore(0.5)
        .setChallengerScore(0.6)
        .setMetric("gold")
        .setPValue(0.01)
        .setReason("test")
        .build();
  }
}
