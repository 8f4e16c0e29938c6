package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default scoring shape: one subtask per processor up to the partitions, the rest in threads. */
class ScoringShapeTest {

  @Test
  void shouldSplitTwoCoresIntoTwoSubtasksOfOneThreadWhenNothingIsSet() {
    assertThat(ScoringShape.resolve(0, 0, 2, 4)).isEqualTo(new ScoringShape(2, 1));
  }

  @Test
  void shouldCapTheSubtasksAtThePartitionsAndGiveTheRemainingProcessorsAsThreads() {
    // Given 8 and 10 processors and a turns topic of 4 partitions
    assertThat(ScoringShape.resolve(0, 0, 8, 4)).isEqualTo(new ScoringShape(4, 2));
    assertThat(ScoringShape.resolve(0, 0, 10, 4)).isEqualTo(new ScoringShape(4, 2));
    // And a single processor: one subtask of one thread
    assertThat(ScoringShape.resolve(0, 0, 1, 4)).isEqualTo(new ScoringShape(1, 1));
  }

  @Test
  void shouldKeepWhatTheUserSetAndNeverOversubscribeWhatItChooses() {
    // An explicit parallelism: threads are the processors per subtask (2 cores, 1 subtask: 2 threads;
    // 4 subtasks on 2 cores: 1 thread, not 2 each)
    assertThat(ScoringShape.resolve(1, 0, 2, 4)).isEqualTo(new ScoringShape(1, 2));
    assertThat(ScoringShape.resolve(4, 0, 2, 4)).isEqualTo(new ScoringShape(4, 1));
    // Explicit threads with the chosen parallelism, and both explicit, are kept
    assertThat(ScoringShape.resolve(0, 3, 2, 4)).isEqualTo(new ScoringShape(2, 3));
    assertThat(ScoringShape.resolve(6, 2, 2, 4)).isEqualTo(new ScoringShape(6, 2));
  }

  @Test
  void shouldResolveTheTeacherJobsDefaultsOnThisMachineAndKeepExplicitSettings() {
    int processors = Runtime.getRuntime().availableProcessors();
    TeacherJobConfig defaults = TeacherJobConfig.of(Map.of());
    TeacherJobConfig explicit = TeacherJobConfig.parse(List.of("--teacher.parallelism", "3",
        "--teacher.onnx.intra-op-threads", "2"), Map.of());

    assertThat(new ScoringShape(defaults.parallelism(), defaults.onnxThreads()))
        .isEqualTo(ScoringShape.resolve(0, 0, processors, 4));
    assertThat(List.of(explicit.parallelism(), explicit.onnxThreads())).containsExactly(3, 2);
  }

  @Test
  void shouldRefuseAShapeWithoutSubtasksOrThreads() {
    assertThatThrownBy(() -> new ScoringShape(0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
