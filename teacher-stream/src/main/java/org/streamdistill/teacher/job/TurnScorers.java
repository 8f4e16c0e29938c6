package org.streamdistill.teacher.job;

import org.apache.kafka.common.config.ConfigException;

/** Picks the teacher the job runs from its settings; every entry point builds its scorer here. */
public final class TurnScorers {

  private TurnScorers() {}

  /**
   * The scorer factory {@link TeacherJobConfig#KIND} names: a {@link BundleTurnScorer} over
   * {@link TeacherJobConfig#bundle()}, or an {@link OnnxClassifierScorer} over the
   * {@code teacher.onnx.*} files at {@link TeacherJobConfig#temperature()}. Nothing is opened here:
   * each subtask opens its own scorer.
   */
  public static TurnScorer.Factory fromConfig(TeacherJobConfig config) {
    return switch (config.kind()) {
      case TeacherJobConfig.KIND_BUNDLE -> BundleTurnScorer.factory(config.bundle(), config.onnxThreads());
      case TeacherJobConfig.KIND_ONNX_CLASSIFIER -> OnnxClassifierScorer.factory(config.onnxModel(),
          config.onnxTokenizer(), config.onnxLabels(), config.onnxMaxLength(), config.temperature(),
          config.onnxThreads());
      default -> throw new ConfigException(TeacherJobConfig.KIND, config.kind(),
          "must be " + TeacherJobConfig.KIND_BUNDLE + " or " + TeacherJobConfig.KIND_ONNX_CLASSIFIER);
    };
  }

  /**
   * Reads the teacher's and the fallback's bundles where they are visible to this process, as
   * their subtasks will (a bundle a job fails on at every restart is said before it is submitted).
   * A bundle directory this process cannot see is left to the TaskManagers that open it: under
   * {@code flink run} the client often has no such mount.
   *
   * @throws java.io.IOException (an {@link org.streamdistill.teacher.model.InvalidBundleException})
   *     naming the file and the problem
   */
  public static void checkBundles(TeacherJobConfig config) throws java.io.IOException {
    if (TeacherJobConfig.KIND_BUNDLE.equals(config.kind())) {
      checkIfVisible(config.bundle());
    }
    if (config.fallback().present()) {
      checkIfVisible(config.fallback().bundle());
    }
  }

  /**
   * {@link #checkBundles(TeacherJobConfig)} for the job that {@code settings} (teacher job keys, the
   * bundle aside) would run with the teacher bundle {@code bundle}: how the demo and {@code cluster
   * up} check theirs before they start anything.
   */
  public static void checkBundles(java.nio.file.Path bundle, java.util.Map<String, String> settings)
      throws java.io.IOException {
    java.util.Map<String, String> withBundle = new java.util.HashMap<>(settings);
    withBundle.put(TeacherJobConfig.BUNDLE, bundle.toString());
    checkBundles(TeacherJobConfig.of(withBundle));
  }

  private static void checkIfVisible(String bundle) throws java.io.IOException {
    java.nio.file.Path dir = java.nio.file.Path.of(bundle);
    if (java.nio.file.Files.isDirectory(dir)) {
      org.streamdistill.teacher.model.BundledTeacher.check(dir);
    }
  }

  /**
   * The fallback teacher's scorer factory ({@link TeacherJobConfig#fallback()}): a {@link
   * BundleTurnScorer} with the fallback's own ONNX threads; null when there is none.
   */
  public static TurnScorer.Factory fallbackFromConfig(TeacherJobConfig config) {
    return config.fallback().present()
        ? BundleTurnScorer.factory(config.fallback().bundle(), config.fallback().intraOpThreads()) : null;
  }
}
