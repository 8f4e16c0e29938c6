package org.streamdistill.teacher.model;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Teacher bundles whose heads are built by hand instead of fitted: each label's weight row is
 * the encoder's embedding of one prototype sentence (scaled so soft labels are not uniform), so
 * a text scores highest on the label whose prototype it is most similar to. Costs one encoder
 * load per bundle, no training; shared by the model and job tests.
 */
public final class PrototypeTeachers {

  public static final List<String> LABELS = List.of("weather", "transfer", "alarm");
  public static final List<String> PROTOTYPES = List.of(
      "what is the weather forecast", "send money to another account", "wake me up at six");
  public static final Instant CREATED = Instant.parse("2025-01-01T00:00:00Z");

  private PrototypeTeachers() {}

  /** A single-encoder bundle on {@code encoder} at distillation temperature {@code temperature}. */
  public static TeacherBundle bundle(EncoderId encoder, double temperature) throws IOException {
    float[][] weights;
    try (MiniLmEncoder open = new MiniLmEncoder(encoder, 1)) {
      List<int[]> ids = new ArrayList<>();
      for (String prototype : PROTOTYPES) {
        ids.add(open.tokenize(prototype).ids());
      }
      weights = open.embed(ids);
    }
    SoftmaxHead head = new SoftmaxHead(weights, new float[LABELS.size()]).scaled(10);
    return TeacherBundle.create(encoder, temperature, LABELS, head,
        new FitReport(3, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1.0, Map.of()), CREATED);
  }

  /** An ensemble of MiniLM-L6 fp32 (primary) and int8, weighted 0.6 / 0.4, calibration temperature 1.25. */
  public static EnsembleBundle minilmEnsemble(double temperature) throws IOException {
    return EnsembleBundle.create(
        List.of(bundle(EncoderId.ALL_MINILM_L6_V2, temperature), bundle(EncoderId.ALL_MINILM_L6_V2_Q, temperature)),
        new double[] {3, 2}, 1.25, temperature,
        new FitReport(3, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1.25, Map.of()), CREATED);
  }
}
