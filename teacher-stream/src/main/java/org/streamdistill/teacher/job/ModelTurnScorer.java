package org.streamdistill.teacher.job;

import java.util.ArrayList;
import java.util.List;
import org.streamdistill.teacher.model.TeacherModel;
import org.streamdistill.teacher.model.TeacherScore;

/** Adapts any {@link TeacherModel} to the job's {@link TurnScorer}, at a given temperature. */
final class ModelTurnScorer implements TurnScorer {

  private final TeacherModel model;
  private final float temperature;

  /** Takes ownership of {@code model}. */
  ModelTurnScorer(TeacherModel model, double temperature) {
    this.model = model;
    this.temperature = (float) temperature;
  }

  @Override
  public List<Score> score(List<String> texts) {
    List<TeacherScore> scores = model.score(texts);
    List<Score> out = new ArrayList<>(scores.size());
    for (TeacherScore s : scores) {
      out.add(new Score(s.tokenIds(), s.truncated(), s.logits()));
    }
    return out;
  }

  @Override
  public List<Tokens> tokenize(List<String> texts) {
    List<Tokens> out = new ArrayList<>(texts.size());
    for (TeacherScore.Tokens t : model.tokenize(texts)) {
      out.add(new Tokens(t.ids(), t.truncated()));
    }
    return out;
  }

  @Override
  public List<String> labels() {
    return model.labels();
  }

  @Override
  public String version() {
    return model.version();
  }

  @Override
  public float temperature() {
    return temperature;
  }

  @Override
  public String labelSetId() {
    return model.labelSetId();
  }

  @Override
  public void close() {
    model.close();
  }
}
