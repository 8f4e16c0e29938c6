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

/** Which models predict beside the challenger, from promotion events. */
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

}
