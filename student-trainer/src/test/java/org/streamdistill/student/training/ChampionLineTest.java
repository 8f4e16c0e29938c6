package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.streamdistill.student.training.TrainingRecords.promotion;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;

/** Which models predict beside the challenger, from promotion events and the history a restart reads. */
class ChampionLineTest {

  private static final TextCnnConfig SHAPE = TextCnnConfig.defaults(3).withVocabSize(20).withEmbeddingDim(2);

  /** Checkpoint files in memory; a null model stands for a corrupt file. */
  private final Map<String, TextCnn> files = new HashMap<>();
  private final List<String> loads = new ArrayList<>();
  private final FakeChallenger live = new FakeChallenger();
  private final ChampionLine line = new ChampionLine("student", version -> {
    loads.add(version);
    if (!files.containsKey(version)) {
      return Optional.empty();
    }
    TextCnn model = files.get(version);
    if (model == null) {
      throw new UncheckedIOException(new java.io.IOException("not a student checkpoint"));
    }
    return Optional.of(model);
  }, live);

  private static final class FakeChallenger implements ChampionLine.LiveChallenger {
    String version = "student-v9";
    boolean current = true;
    final TextCnn model = new TextCnn(SHAPE);
    int freezes;

    @Override
    public boolean exists() {
      return true;
    }

    @Override
    public String version() {
      return version;
    }

    @Override
    public boolean current() {
      return current;
    }

    @Override
    public TextCnn freeze() {
      freezes++;
      return model;
    }
  }

  private TextCnn file(String version) {
    TextCnn model = new TextCnn(SHAPE);
    files.put(version, model);
    return model;
  }

  @Test
  void shouldFoldAFullHistoryIntoTheChampionAfterTheLastRollback() {
    List<PromotionEvent> history = List.of(promotion("PROMOTE", null, "student-v1", "challenger"),
        promotion("HOLD", "student-v1", "student-v2", "challenger"),
        promotion("PROMOTE", "student-v1", "student-v3", "challenger"),
        promotion("ROLLBACK", "student-v3", "student-v1", "previous"));

    assertThat(ChampionLine.Wanted.fold("student", history)).isEqualTo(new ChampionLine.Wanted("student-v1", null));
  }

  @Test
  void shouldTakeTheStandbyFromTheFromVersionOfAPromoteLeftAloneByCompaction() {
    assertThat(ChampionLine.Wanted.fold("student", List.of(promotion("PROMOTE", "student-v3", "student-v4",
        "challenger")))).isEqualTo(new ChampionLine.Wanted("student-v4", "student-v3"));
  }

  @Test
  void shouldTakeTheChampionFromAHoldAndTheStandbyFromAHoldOfTheRollbackWatch() {
    assertThat(ChampionLine.Wanted.fold("student", List.of(promotion("HOLD", "student-v5", "student-v6",
        "challenger")))).isEqualTo(new ChampionLine.Wanted("student-v5", null));
    assertThat(ChampionLine.Wanted.fold("student", List.of(promotion("HOLD", "student-v5", "student-v4",
        "previous")))).isEqualTo(new ChampionLine.Wanted("student-v5", "student-v4"));
  }

  @Test
  void shouldIgnoreOtherModelLinesInTheHistory() {
    PromotionEvent other = PromotionEvent.newBuilder(promotion("PROMOTE", null, "other-v1", "challenger"))
        .setModelName("other").build();

    assertThat(ChampionLine.Wanted.fold("student", List.of(other))).isEqualTo(new ChampionLine.Wanted(null, null));
  }

  @Test
  void shouldRecoverChampionAndStandbyLoadingEachCheckpointOnce() {
    // Given files of v3 and v4, and a history that went through v1 and v2 (pruned since)
    TextCnn v3 = file("student-v3");
    TextCnn v4 = file("student-v4");
    List<PromotionEvent> history = List.of(promotion("PROMOTE", null, "student-v1", "challenger"),
        promotion("PROMOTE", "student-v1", "student-v2", "challenger"),
        promotion("PROMOTE", "student-v2", "student-v3", "challenger"),
        promotion("PROMOTE", "student-v3", "student-v4", "challenger"));

    // When the line recovers
    line.recover(history);

    // Then v4 is champion with v3 on standby; no pruned version was looked for
    assertThat(line.predictors()).extracting(PredictionWriter.Predictor::version, PredictionWriter.Predictor::role,
        PredictionWriter.Predictor::model)
        .containsExactly(tuple("student-v4", "champion", v4), tuple("student-v3", "previous", v3));
    assertThat(loads).containsExactly("student-v3", "student-v4");
    assertThat(line.keptVersions()).isEqualTo(Set.of("student-v3", "student-v4"));
  }

  @Test
  void shouldRecoverNoChampionAndNoStandbyWhenTheChampionsFileIsCorruptOrGone() {
    // Given the standby's file, a corrupt champion file
    file("student-v3");
    files.put("student-v4", null);

    // When the line recovers from a PROMOTE of v4 over v3
    line.recover(List.of(promotion("PROMOTE", "student-v3", "student-v4", "challenger")));

    // Then nothing predicts beside the challenger; and a missing file does the same
    assertThat(line.predictors()).isEmpty();
    assertThat(line.championVersion()).isNull();
    line.recover(List.of(promotion("PROMOTE", "student-v3", "student-v8", "challenger")));
    assertThat(line.predictors()).isEmpty();
  }

  @Test
  void shouldFreezeTheLiveChallengerWhenItIsPromotedAndPutTheChampionOnStandby() {
    // Given champion v1
    TextCnn v1 = file("student-v1");
    line.apply(promotion("PROMOTE", null, "student-v1", "challenger"));

    // When the live challenger v9 is promoted
    line.apply(promotion("PROMOTE", "student-v1", "student-v9", "challenger"));

    // Then it is frozen (checkpointed) once, and v1 waits on standby
    assertThat(live.freezes).isEqualTo(1);
    assertThat(line.predictors()).extracting(PredictionWriter.Predictor::version, PredictionWriter.Predictor::model)
        .containsExactly(tuple("student-v9", live.model), tuple("student-v1", v1));
  }

  @Test
  void shouldWaitForTheEndOfTheReplayBeforeFreezingAPromotedChallenger() {
    // Given a trainer replaying turns published before a restart
    live.current = false;

    // When the live challenger is promoted
    line.apply(promotion("PROMOTE", null, "student-v9", "challenger"));
    line.retryDeferred();

    // Then it is not frozen while replaying, and is once the replay is over
    assertThat(live.freezes).isZero();
    assertThat(line.championVersion()).isNull();
    live.current = true;
    line.retryDeferred();
    assertThat(live.freezes).isEqualTo(1);
    assertThat(line.championVersion()).isEqualTo("student-v9");
  }

  @Test
  void shouldLoadThePromotedVersionFromItsFileWhenTheChallengerWasCheckpointedDuringTheReplay() {
    // Given a recovered champion that is the live challenger, during a replay
    live.current = false;
    line.recover(List.of(promotion("PROMOTE", null, "student-v9", "challenger")));
    // and a checkpoint of v9 taken by the replay, after which the challenger is v10
    TextCnn v9 = file("student-v9");
    live.version = "student-v10";

    // When the replay is over
    live.current = true;
    line.retryDeferred();

    // Then v9 serves from its file
    assertThat(live.freezes).isZero();
    assertThat(line.predictors()).extracting(PredictionWriter.Predictor::model).containsExactly(v9);
  }

  @Test
  void shouldRollBackToTheStandbyAsItWasAndKeepNoStandby() {
    TextCnn v1 = file("student-v1");
    file("student-v2");
    line.apply(promotion("PROMOTE", null, "student-v1", "challenger"));
    line.apply(promotion("PROMOTE", "student-v1", "student-v2", "challenger"));

    line.apply(promotion("ROLLBACK", "student-v2", "student-v1", "previous"));

    assertThat(line.predictors()).extracting(PredictionWriter.Predictor::version, PredictionWriter.Predictor::model)
        .containsExactly(tuple("student-v1", v1));
    assertThat(loads).containsExactly("student-v1", "student-v2");
  }

  @Test
  void shouldKeepTheChampionWhenAPromotionNamesAMissingOrCorruptVersion() {
    file("student-v1");
    files.put("student-v3", null);
    line.apply(promotion("PROMOTE", null, "student-v1", "challenger"));

    line.apply(promotion("PROMOTE", "student-v1", "student-v2", "challenger"));
    line.apply(promotion("PROMOTE", "student-v1", "student-v3", "challenger"));

    assertThat(line.championVersion()).isEqualTo("student-v1");
    assertThat(line.previousVersion()).isNull();
  }

  @Test
  void shouldAdoptTheFromVersionOfALiveHoldOnlyWithoutAChampionAndTryAMissingOneOnce() {
    // Given no champion and no file of v1
    // When two HOLDs name v1 as serving
    line.apply(promotion("HOLD", "student-v1", "student-v9", "challenger"));
    line.apply(promotion("HOLD", "student-v1", "student-v9", "challenger"));

    // Then v1 was looked for once
    assertThat(loads).containsExactly("student-v1");
    // And once v2 serves, a HOLD changes nothing
    file("student-v2");
    file("student-v5");
    line.apply(promotion("HOLD", "student-v2", "student-v9", "challenger"));
    line.apply(promotion("HOLD", "student-v5", "student-v9", "challenger"));
    assertThat(line.championVersion()).isEqualTo("student-v2");
    assertThat(loads).containsExactly("student-v1", "student-v2");
  }
}
