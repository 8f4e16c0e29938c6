package org.streamdistill.student.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.optim.Adam;
import org.streamdistill.student.optim.Parameter;

/**
 * End-to-end learning on a synthetic task whose class is the identity of one "key" token
 * hidden at a random position among noise tokens, with a noisy teacher and gold labels on a
 * tenth of the examples, as in the stream.
 */
class TextCnnLearningTest {

  private static final int CLASSES = 4;
  private static final TextCnnConfig CONFIG = new TextCnnConfig(300, 16, List.of(2, 3), 16, 24,
      CLASSES, 0f, true, 1L);

  private final DistillationLoss loss = DistillationLoss.withDefaults();

  /** One synthetic batch; the same random seed gives the same batches. */
  private record Batch(List<int[]> ids, List<float[]> teacher, List<Integer> gold,
      List<Integer> label) {}

  private static Batch batch(SplittableRandom random, int size) {
    List<int[]> ids = new ArrayList<>();
    List<float[]> teacher = new ArrayList<>();
    List<Integer> gold = new ArrayList<>();
    List<Integer> label = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      int cls = random.nextInt(CLASSES);
      int n = 6 + random.nextInt(10);
      int[] seq = new int[n + 2];
      seq[0] = TextCnnConfig.CLS_ID;
      seq[n + 1] = TextCnnConfig.SEP_ID;
      for (int p = 1; p <= n; p++) {
        seq[p] = 10 + random.nextInt(290); // noise (may include 101/102 in the middle)
      }
      seq[1 + random.nextInt(n)] = 1 + cls; // the key token
      ids.add(seq);
      float[] t = new float[CLASSES];
      for (int c = 0; c < CLASSES; c++) {
        t[c] = (float) random.nextGaussian(0, 0.5) + (c == cls ? 4f : 0f);
      }
      teacher.add(t);
      gold.add(random.nextInt(10) == 0 ? cls : null);
      label.add(cls);
    }
    return new Batch(ids, teacher, gold, label);
  }

  @Test
  void shouldLearnTheKeyTokenTaskFromSoftLabels() {
    TextCnn model = new TextCnn(CONFIG);
    Adam adam = new Adam(Adam.Settings.defaults().withLearningRate(3e-3));
    SplittableRandom random = new SplittableRandom(21);
    Batch heldOut = batch(new SplittableRandom(99), 1000);
    double accuracyBefore = accuracy(model, heldOut);

    double firstLoss = 0;
    double lastLoss = 0;
    for (int step = 0; step < 300; step++) {
      Batch b = batch(random, 32);
      double l = model.trainBatch(b.ids(), b.teacher(), 2f, b.gold(), loss, adam);
      if (step < 10) {
        firstLoss += l / 10;
      }
      if (step >= 290) {
        lastLoss += l / 10;
      }
    }

    assertThat(accuracyBefore).isLessThan(0.5);
    assertThat(accuracy(model, heldOut)).isGreaterThan(0.9);
    assertThat(lastLoss).isLessThan(firstLoss / 4);
  }

  @Test
  void shouldProduceBitIdenticalWeightsForTheSameSeedAndData() {
    TextCnnConfig withDropout = CONFIG.withDropout(0.2f);
    TextCnn first = train(withDropout, 40);
    TextCnn second = train(withDropout, 40);
    TextCnn otherSeed = train(withDropout.withSeed(2L), 40);

    for (int i = 0; i < first.parameters().size(); i++) {
      Parameter a = first.parameters().get(i);
      assertThat(second.parameters().get(i).values()).as(a.name()).isEqualTo(a.values());
      assertThat(otherSeed.parameters().get(i).values()).as(a.name()).isNotEqualTo(a.values());
    }
    assertThat(second.randomState()).isEqualTo(first.randomState());
  }

  private TextCnn train(TextCnnConfig config, int steps) {
    TextCnn model = new TextCnn(config);
    Adam adam = new Adam(Adam.Settings.defaults().withLearningRate(3e-3));
    SplittableRandom random = new SplittableRandom(21);
    for (int step = 0; step < steps; step++) {
      Batch b = batch(random, 32);
      model.trainBatch(b.ids(), b.teacher(), 2f, b.gold(), loss, adam);
    }
    return model;
  }

  private static double accuracy(TextCnn model, Batch data) {
    int correct = 0;
    for (int i = 0; i < data.ids().size(); i++) {
      if (model.predict(data.ids().get(i)) == data.label().get(i)) {
        correct++;
      }
    }
    return (double) correct / data.ids().size();
  }
}
