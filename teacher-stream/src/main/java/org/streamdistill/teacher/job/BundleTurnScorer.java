package org.streamdistill.teacher.job;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.streamdistill.teacher.model.Teacher;
import org.streamdistill.teacher.model.TeacherScore;

/** The production scorer: the MiniLM teacher described by a bundle written by {@code fit}. */
public final class BundleTurnScorer implements TurnScorer {

  private final Teacher teacher;
  private final float temperature;

  public BundleTurnScorer(Teacher teacher) {
    this.teacher = teacher;
    this.temperature = (float) teacher.temperature();
  }

  /**
   * Opens the bundle at {@code bundleDir} in each subtask with {@code intraOpThreads} ONNX Runtime
   * threads; 0 (the config default) means one per available processor of the task's JVM.
   */
  public static TurnScorer.Factory factory(String bundleDir, int intraOpThreads) {
    // MiniLmEncoder rejects 0, so the default is resolved here, inside the subtask.
    return () -> new BundleTurnScorer(Teacher.open(Path.of(bundleDir),
        intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors()));
  }

  @Override
  public List<Score> score(List<String> texts) {
    List<TeacherScore> scores = teacher.score(texts);
    List<Score> out = new ArrayList<>(scores.size());
    for (TeacherScore s : scores) {
      out.add(new Score(s.tokenIds(), s.truncated(), s.logits()));
    }
    return out;
  }

  @Override
  public List<String> labels() {
    return teacher.labels();
  }

  @Override
  public String version() {
    return teacher.version();
  }

  @Override
  public float temperature() {
    return temperature;
  }

  @Override
  public String labelSetId() {
    return teacher.labelSetId();
  }

  @Override
  public void close() {
    teacher.close();
  }
}
