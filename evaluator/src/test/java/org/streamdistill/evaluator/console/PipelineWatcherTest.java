package org.streamdistill.evaluator.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.SoftLabel;

class PipelineWatcherTest {

  @Test
  void shouldTakeTheTeachersLatencyFromScoredTurnsOnly() {
    SoftLabel scored = label(true);
    SoftLabel goldOnly = label(false);

    assertThat(PipelineWatcher.teacherLatencyMillis(scored, 1_000)).isEqualTo(250L);
    assertThat(PipelineWatcher.teacherLatencyMillis(goldOnly, 1_000)).isNull();
  }

  private static SoftLabel label(boolean teacherScored) {
    return SoftLabel.newBuilder().setTurnId("t").setConversationId("c").setTurnIndex(0)
        .setEventTime(Instant.ofEpochMilli(1_000)).setScoredAt(Instant.ofEpochMilli(1_250)).setTokenIds(List.of(1))
        .setLogits(teacherScored ? List.of(0.5f, 0.1f) : List.of()).setTeacherIndex(teacherScored ? 0 : -1)
        .setTeacherLabel(teacherScored ? "a" : "").setTemperature(2.0f).setTeacherVersion("v").setLabelSetId("l")
        .setTeacherScored(teacherScored).setLabelCount(2).setGoldIndex(0).setGoldLabel("a").build();
  }
}
