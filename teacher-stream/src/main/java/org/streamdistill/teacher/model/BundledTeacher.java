package org.streamdistill.teacher.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A teacher that {@code fit} wrote as a bundle: a single encoder with its head ({@link Teacher})
 * or an ensemble of them ({@link EnsembleTeacher}). Both carry their distillation temperature,
 * and both hand out the plain BERT-uncased token ids of each text, so the job and the student
 * treat them alike. {@link #open} picks the kind from the bundle's manifest.
 */
public interface BundledTeacher extends TeacherModel {

  /**
   * Loads the bundle in {@code bundleDir}, single or ensemble, and opens its encoders from the
   * class path.
   *
   * @param intraOpThreads ONNX Runtime compute threads of each encoder (at least 1)
   * @throws InvalidBundleException if the bundle is missing or malformed (the message says how)
   */
  static BundledTeacher open(Path bundleDir, int intraOpThreads) throws IOException {
    if (EnsembleBundle.isEnsemble(bundleDir)) {
      return EnsembleTeacher.open(bundleDir, intraOpThreads);
    }
    return Teacher.open(bundleDir, intraOpThreads);
  }

  /**
   * Reads the bundle in {@code bundleDir} as {@link #open} does, every member's head included,
   * without starting an encoder: a command says here, before it starts anything, that a bundle
   * cannot be used, instead of a job failing on it at every restart.
   *
   * @throws InvalidBundleException naming the file and the problem
   */
  static void check(Path bundleDir) throws IOException {
    if (EnsembleBundle.isEnsemble(bundleDir)) {
      EnsembleBundle.load(bundleDir);
    } else {
      TeacherBundle.load(bundleDir);
    }
  }

  /** The distillation temperature: soft labels are {@code softmax(logits / temperature())}. */
  double temperature();

  /** {@code softmax(score.logits() / temperature())}: the distribution the student learns from. */
  default float[] softLabels(TeacherScore score) {
    return SoftLabels.softmax(score.logits(), temperature());
  }

  /** The token ids of {@code text}, as {@link #score} would report them, without scoring it. */
  MiniLmEncoder.Tokenized tokenize(String text);

  /**
   * The token ids of each text from the tokenizer alone, so that forwarding a turn the gate
   * skipped (gold-only) costs no encoder run, single or ensemble.
   */
  @Override
  default java.util.List<TeacherScore.Tokens> tokenize(java.util.List<String> texts) {
    java.util.List<TeacherScore.Tokens> out = new java.util.ArrayList<>(texts.size());
    for (String text : texts) {
      MiniLmEncoder.Tokenized t = tokenize(text);
      out.add(new TeacherScore.Tokens(t.ids(), t.truncated()));
    }
    return out;
  }
}
