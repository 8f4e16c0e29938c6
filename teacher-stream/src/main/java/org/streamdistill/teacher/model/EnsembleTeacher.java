package org.streamdistill.teacher.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ensemble teacher: every member ({@link Teacher}, an encoder with its head) scores each
 * text, and their calibrated logits are combined as {@link EnsembleLogits} describes, with the
 * weights and calibration of an {@link EnsembleBundle}. Texts are tokenized once, by the primary
 * (first) member; all members share its vocabulary, so the token ids in the scores are exactly
 * what a single MiniLM teacher would report.
 *
 * <p>Costs the sum of its members' encoder calls. Owns its members (their ONNX Runtime sessions
 * and tokenizers) and closes them in {@link #close()}; not thread-safe, one per Flink subtask.
 */
public final class EnsembleTeacher implements BundledTeacher {

  private final EnsembleBundle bundle;
  private final List<Teacher> members;

  /**
   * Combines an ensemble bundle with its open members, taking ownership of them.
   *
   * @throws IllegalArgumentException if the members are not the bundle's, in its order
   */
  public EnsembleTeacher(EnsembleBundle bundle, List<Teacher> members) {
    if (members.size() != bundle.members().size()) {
      throw new IllegalArgumentException("ensemble " + bundle.teacherVersion() + " has "
          + bundle.members().size() + " members, " + members.size() + " teachers given");
    }
    for (int i = 0; i < members.size(); i++) {
      String expected = bundle.members().get(i).teacherVersion();
      if (!members.get(i).version().equals(expected)) {
        throw new IllegalArgumentException("member " + i + " of ensemble " + bundle.teacherVersion()
            + " is " + expected + " but the teacher given is " + members.get(i).version());
      }
    }
    this.bundle = bundle;
    this.members = List.copyOf(members);
  }

  /**
   * Loads the ensemble bundle in {@code bundleDir} and opens every member's encoder.
   *
   * @param intraOpThreads ONNX Runtime compute threads of each member (they run one after the other)
   * @throws InvalidBundleException if the bundle or a member is missing or malformed
   */
  public static EnsembleTeacher open(Path bundleDir, int intraOpThreads) throws IOException {
    EnsembleBundle bundle = EnsembleBundle.load(bundleDir);
    List<Teacher> members = new ArrayList<>();
    try {
      for (TeacherBundle member : bundle.members()) {
        members.add(new Teacher(member, new MiniLmEncoder(member.encoder(), intraOpThreads)));
      }
    } catch (IOException | RuntimeException e) {
      members.forEach(Teacher::close);
      throw e;
    }
    return new EnsembleTeacher(bundle, members);
  }

  /**
   * Scores a batch: tokenizes it once, runs each member's encoder and head on it, combines.
   *
   * @return one score per text, in order; its logits are the ensemble's
   * @throws IllegalArgumentException if a text is null
   */
  @Override
  public List<TeacherScore> score(List<String> texts) {
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("text " + i + " of the batch is null");
      }
    }
    List<MiniLmEncoder.Tokenized> tokenized = members.get(0).encoder().tokenize(texts);
    List<int[]> ids = new ArrayList<>(tokenized.size());
    for (MiniLmEncoder.Tokenized t : tokenized) {
      ids.add(t.ids());
    }
    float[][][] memberLogits = new float[members.size()][][];
    for (int m = 0; m < members.size(); m++) {
      memberLogits[m] = members.get(m).logits(ids);
    }
    List<TeacherScore> scores = new ArrayList<>(texts.size());
    float[][] perText = new float[members.size()][];
    for (int i = 0; i < ids.size(); i++) {
      for (int m = 0; m < members.size(); m++) {
        perText[m] = memberLogits[m][i];
      }
      float[] logits = bundle.combine(perText);
      scores.add(new TeacherScore(ids.get(i), tokenized.get(i).truncated(), logits, SoftmaxHead.argMax(logits)));
    }
    return scores;
  }

  @Override
  public MiniLmEncoder.Tokenized tokenize(String text) {
    return members.get(0).tokenize(text);
  }

  @Override
  public List<String> labels() {
    return bundle.labels();
  }

  @Override
  public String version() {
    return bundle.teacherVersion();
  }

  @Override
  public String labelSetId() {
    return bundle.labelSetId();
  }

  @Override
  public double temperature() {
    return bundle.temperature();
  }

  public EnsembleBundle bundle() {
    return bundle;
  }

  /** Closes every member, even if one fails to close. */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (Teacher member : members) {
      try {
        member.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
