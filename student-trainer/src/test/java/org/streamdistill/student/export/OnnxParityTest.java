package org.streamdistill.student.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;
import org.streamdistill.student.serving.TeacherTokenizer;

/**
 * The bar for "served anywhere": a default-size student, trained for one pass over the
 * CLINC150 training split (gold labels as sharp soft labels), exported to ONNX and run through
 * DJL's ONNX Runtime engine on 1,000 CLINC150 test turns, gives the Java forward pass's
 * probabilities within 1e-4, one turn at a time and in batches.
 *
 * <p>Batches group turns of equal prepared length: padding a row beyond its prepared length
 * would change its result (the "valid" convolutions would also slide over the padding, and the
 * max over time can pick those positions), in ONNX Runtime as in Java, so it is not done.
 */
class OnnxParityTest {

  private static final int TURNS = 1_000;
  private static final double TOLERANCE = 1e-4;

  @TempDir
  static Path dir;

  private static TextCnn model;
  private static Path exported;
  private static List<int[]> testTurns;
  private static int[] testGold;

  @BeforeAll
  static void trainAndExport() throws Exception {
    Clinc150 clinc = Clinc150.read(SharedData.clinc150());
    List<String> labels = clinc.labels();
    List<Clinc150.Example> train = new ArrayList<>(clinc.trainWithOos());
    Collections.shuffle(train, new Random(42));
    List<Clinc150.Example> test = new ArrayList<>(clinc.testWithOos());
    Collections.shuffle(test, new Random(2024));
    test = test.subList(0, TURNS);

    model = new TextCnn(TextCnnConfig.defaults(labels.size()));
    Adam adam = new Adam(Adam.Settings.defaults().withLearningRate(5e-3));
    DistillationLoss loss = DistillationLoss.withDefaults();
    try (TeacherTokenizer tokenizer = new TeacherTokenizer()) {
      for (int from = 0; from < train.size(); from += 32) {
        List<int[]> ids = new ArrayList<>();
        List<float[]> teacher = new ArrayList<>();
        List<Integer> gold = new ArrayList<>();
        for (Clinc150.Example e : train.subList(from, Math.min(from + 32, train.size()))) {
          int label = labels.indexOf(e.label());
          ids.add(tokenizer.encode(e.text()));
          float[] logits = new float[labels.size()];
          logits[label] = 8f;
          teacher.add(logits);
          gold.add(label);
        }
        model.trainBatch(ids, teacher, 2f, gold, loss, adam);
      }
      testTurns = new ArrayList<>();
      testGold = new int[TURNS];
      for (int i = 0; i < TURNS; i++) {
        testTurns.add(tokenizer.encode(test.get(i).text()));
        testGold[i] = labels.indexOf(test.get(i).label());
      }
    }
    exported = dir.resolve("student-v1.onnx");
    OnnxExporter.export(model, new ExportMetadata("student", "student-v1", "clinc150", labels),
        exported);
  }

  @Test
  void shouldMatchTheJavaProbabilitiesOnOneThousandTestTurnsOneAtATime() throws Exception {
    InputContract contract = ExportedStudent.read(exported).input();
    double maxDifference = 0;
    int correct = 0;
    try (OrtRunner ort = new OrtRunner(exported)) {
      for (int i = 0; i < TURNS; i++) {
        int[] ids = testTurns.get(i);
        long[] prepared = contract.prepare(ids);
        assertThat(prepared).containsExactly(
            Arrays.stream(model.prepareTokens(ids)).asLongStream().toArray());

        float[] onnx = ort.run(new long[][] {prepared}).probabilities()[0];
        double[] java = OrtRunner.softmax(model.logits(ids));

        assertThat(onnx).hasSize(java.length);
        for (int c = 0; c < java.length; c++) {
          double difference = Math.abs(onnx[c] - java[c]);
          maxDifference = Math.max(maxDifference, difference);
          assertThat(difference).as("turn %d, class %d: onnx %s, java %s", i, c, onnx[c], java[c])
              .isLessThan(TOLERANCE);
        }
        correct += argMax(java) == testGold[i] ? 1 : 0;
      }
    }
    // The weights are trained ones, not just initial values: the student classifies most turns.
    assertThat(correct).as("correct test turns out of %d (max |p_onnx - p_java| = %s)", TURNS,
        maxDifference).isGreaterThan(TURNS / 2);
  }

  @Test
  void shouldMatchTheJavaProbabilitiesInBatchesOfEqualPreparedLength() throws Exception {
    InputContract contract = ExportedStudent.read(exported).input();
    Map<Integer, List<Integer>> byLength = new TreeMap<>();
    for (int i = 0; i < TURNS; i++) {
      byLength.computeIfAbsent(contract.prepare(testTurns.get(i)).length, k -> new ArrayList<>())
          .add(i);
    }
    float[][] javaLogits = model.logitsBatch(testTurns);
    int checked = 0;
    try (OrtRunner ort = new OrtRunner(exported)) {
      for (List<Integer> group : byLength.values()) {
        for (int from = 0; from < group.size(); from += 64) {
          List<Integer> chunk = group.subList(from, Math.min(from + 64, group.size()));
          long[][] rows = new long[chunk.size()][];
          for (int r = 0; r < rows.length; r++) {
            rows[r] = contract.prepare(testTurns.get(chunk.get(r)));
          }
          float[][] onnx = ort.run(rows).probabilities();
          for (int r = 0; r < rows.length; r++) {
            double[] java = OrtRunner.softmax(javaLogits[chunk.get(r)]);
            for (int c = 0; c < java.length; c++) {
              assertThat(Math.abs(onnx[r][c] - java[c]))
                  .as("turn %d, class %d", chunk.get(r), c).isLessThan(TOLERANCE);
            }
            checked++;
          }
        }
      }
    }
    assertThat(checked).isEqualTo(TURNS);
    assertThat(byLength).as("prepared lengths").hasSizeGreaterThan(5);
  }

  private static int argMax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
