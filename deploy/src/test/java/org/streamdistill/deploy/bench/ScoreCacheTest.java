package org.streamdistill.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.teacher.model.TeacherScore;

class ScoreCacheTest {

  private static final List<String> TEXTS = List.of("book a flight", "what is my balance");
  private static final List<TeacherScore> SCORES = List.of(
      new TeacherScore(new int[] {101, 2338, 1037, 3462, 102}, false, new float[] {2.5f, -1.25f, 0.0f}, 0),
      new TeacherScore(new int[] {101, 102}, true, new float[] {-3f, 7.75f, Float.MIN_VALUE}, 1));

  @Test
  void shouldScoreOnceAndReadTheSameOutputsAfterwards(@TempDir Path dir) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ScoreCache cache = ScoreCache.open(dir.resolve("cache"));

    ScoreCache.Scores first = cache.scores("minilm-l6-head-1", TEXTS, () -> {
      calls.incrementAndGet();
      return SCORES;
    });
    ScoreCache.Scores second = ScoreCache.open(dir.resolve("cache")).scores("minilm-l6-head-1", TEXTS, () -> {
      calls.incrementAndGet();
      return List.of();
    });

    assertThat(first.source()).isEqualTo(ScoreCache.Source.SCORED);
    assertThat(second.source()).isEqualTo(ScoreCache.Source.READ);
    assertThat(second.scores()).isEqualTo(SCORES);
    assertThat(calls).hasValue(1);
  }

  @Test
  void shouldNeverMatchAnotherVersionOrOtherTextsOrAnotherOrder(@TempDir Path dir) throws Exception {
    ScoreCache cache = ScoreCache.open(dir);
    cache.scores("v1", TEXTS, () -> SCORES);

    assertThat(cache.file("v2", TEXTS)).isNotEqualTo(cache.file("v1", TEXTS));
    assertThat(cache.file("v1", List.of(TEXTS.get(1), TEXTS.get(0)))).isNotEqualTo(cache.file("v1", TEXTS));
    // texts are separated, so that a boundary moved between two texts is other texts
    assertThat(cache.file("v1", List.of("book a", "flightwhat is my balance")))
        .isNotEqualTo(cache.file("v1", List.of("book a flight", "what is my balance")));
    assertThat(cache.scores("v2", TEXTS, () -> SCORES.subList(0, 2)).source()).isEqualTo(ScoreCache.Source.SCORED);
  }

  @Test
  void shouldScoreAgainAndReplaceAFileItCannotRead(@TempDir Path dir) throws Exception {
    ScoreCache cache = ScoreCache.open(dir);
    cache.scores("v1", TEXTS, () -> SCORES);
    Path file = cache.file("v1", TEXTS);
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 5));

    ScoreCache.Scores again = cache.scores("v1", TEXTS, () -> SCORES);

    assertThat(again.source()).isEqualTo(ScoreCache.Source.REPLACED);
    assertThat(Files.readAllBytes(file)).isEqualTo(whole);
    assertThat(cache.scores("v1", TEXTS, List::of).source()).isEqualTo(ScoreCache.Source.READ);
  }

  @Test
  void shouldRefuseADirectoryItCannotCreateBeforeAnythingIsScored(@TempDir Path dir) throws Exception {
    Path notADirectory = dir.resolve("file");
    Files.writeString(notADirectory, "x");

    assertThatThrownBy(() -> ScoreCache.open(notADirectory)).isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("the scores cache " + notADirectory + " cannot be created");
  }
}
