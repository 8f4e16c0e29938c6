package org.streamdistill.student.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.optim.Adam;
import org.streamdistill.student.optim.Parameter;

class TextCnnTest {

  private static final TextCnnConfig SMALL = new TextCnnConfig(200, 8, List.of(2, 3), 5, 4, 3,
      0f, true, 3L);

  private final DistillationLoss loss = DistillationLoss.withDefaults();

  @Test
  void shouldStripClsAndSepThenCutToMaxTokensAndPadToTheWidestFilter() {
    TextCnn model = new TextCnn(SMALL);

    assertThat(model.prepareTokens(new int[] {101, 5, 6, 102})).containsExactly(5, 6, 0);
    assertThat(model.prepareTokens(new int[] {101, 1, 2, 3, 4, 5, 6, 102}))
        .containsExactly(1, 2, 3, 4);
    assertThat(model.prepareTokens(new int[] {101, 7, 102, 8, 102})).containsExactly(7, 102, 8);
    assertThat(model.prepareTokens(new int[] {101, 102})).containsExactly(0, 0, 0);
    assertThat(model.prepareTokens(new int[0])).containsExactly(0, 0, 0);
  }

  @Test
  void shouldKeepSpecialTokensWhenStrippingIsOff() {
    TextCnn model = new TextCnn(SMALL.withStripSpecialTokens(false));

    assertThat(model.prepareTokens(new int[] {101, 5, 102})).containsExactly(101, 5, 102);
    assertThat(model.prepareTokens(new int[] {101, 1, 2, 3, 4, 102}))
        .containsExactly(101, 1, 2, 3);
  }

  @Test
  void shouldRejectIdsOutsideTheVocabularyWithAnActionableMessage() {
    TextCnn model = new TextCnn(SMALL);

    assertThatThrownBy(() -> model.logits(new int[] {101, 5, 250, 102}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token id 250 at position 2 is outside the vocabulary [0, 200): the ids "
            + "come from a different tokenizer than the student was configured for");
  }

  @Test
  void shouldGiveBitIdenticalLogitsOneByOneAndBatched() {
    TextCnn model = new TextCnn(SMALL);
    List<int[]> batch = List.of(new int[] {101, 5, 6, 102}, new int[] {9}, new int[] {1, 2, 3, 4,
        5, 6, 7});

    float[][] batched = model.logitsBatch(batch);

    for (int b = 0; b < batch.size(); b++) {
      assertThat(model.logits(batch.get(b))).isEqualTo(batched[b]);
    }
    assertThat(batched[0]).isNotEqualTo(batched[1]);
  }

  @Test
  void shouldExposeTheDocumentedTensorNamesAndShapes() {
    TextCnn model = new TextCnn(TextCnnConfig.defaults(151));

    Map<String, List<Integer>> shapes = new LinkedHashMap<>();
    for (Parameter p : model.parameters()) {
      shapes.put(p.name(), Arrays.stream(p.shape()).boxed().toList());
    }

    assertThat(shapes).containsExactly(
        entry("embedding", List.of(30522, 64)),
        entry("conv1.weight", List.of(128, 1, 64)),
        entry("conv1.bias", List.of(128)),
        entry("conv2.weight", List.of(128, 2, 64)),
        entry("conv2.bias", List.of(128)),
        entry("conv3.weight", List.of(128, 3, 64)),
        entry("conv3.bias", List.of(128)),
        entry("conv4.weight", List.of(128, 4, 64)),
        entry("conv4.bias", List.of(128)),
        entry("conv5.weight", List.of(128, 5, 64)),
        entry("conv5.bias", List.of(128)),
        entry("dense.weight", List.of(151, 640)),
        entry("dense.bias", List.of(151)));
    assertThat(model.parameter("embedding").isRowSparse()).isTrue();
    assertThat(Arrays.copyOf(model.parameter("embedding").values(), 64)).containsOnly(0f);
  }

  @Test
  void shouldComputeTheDocumentedConvolutionAndPooling() {
    // A model with one width-2 filter, one class and hand-set weights, so that the logit can be
    // worked out from the documented layout: conv2.weight[f=0, k, e] at (0*2 + k)*E + e.
    TextCnnConfig config = new TextCnnConfig(10, 2, List.of(2), 1, 8, 1, 0f, false, 1L);
    Map<String, float[]> weights = new LinkedHashMap<>();
    float[] embedding = new float[10 * 2];
    embedding[1 * 2] = 1f;      // token 1 = (1, 0)
    embedding[2 * 2 + 1] = 1f;  // token 2 = (0, 1)
    embedding[3 * 2] = -1f;     // token 3 = (-1, 0)
    weights.put("embedding", embedding);
    // conv2.weight [1, 2, 2] = [[w(k=0,e=0), w(0,1)], [w(1,0), w(1,1)]] = [[1, 0], [0, 2]]:
    // the filter fires on "token 1 followed by token 2".
    weights.put("conv2.weight", new float[] {1, 0, 0, 2});
    weights.put("conv2.bias", new float[] {-0.5f});
    weights.put("dense.weight", new float[] {3f});
    weights.put("dense.bias", new float[] {0.25f});
    TextCnn model = TextCnn.fromWeights(config, weights);

    // Windows of [3, 1, 2, 3]: (3,1) -> -1 + 0 - 0.5 = -1.5; (1,2) -> 1 + 2 - 0.5 = 2.5;
    // (2,3) -> 0 + 0 - 0.5 = -0.5. Max 2.5, ReLU 2.5, logit = 3 * 2.5 + 0.25 = 7.75.
    assertThat(model.logits(new int[] {3, 1, 2, 3})).containsExactly(7.75f);
    // Windows of [2, 1]: (2,1) -> 0 + 0 - 0.5 = -0.5; ReLU 0, logit = bias = 0.25.
    assertThat(model.logits(new int[] {2, 1})).containsExactly(0.25f);
  }

  @Test
  void shouldSeeWeightsWrittenDirectlyOnceMarkedModified() {
    TextCnn model = new TextCnn(SMALL);
    model.logits(new int[] {4, 5, 6}); // builds the transposed forward caches

    Parameter dense = model.parameter(TextCnn.DENSE_WEIGHT);
    Arrays.fill(dense.values(), 0f);
    dense.markModified();
    float[] bias = model.parameter(TextCnn.DENSE_BIAS).values();
    bias[1] = 0.5f;

    assertThat(model.logits(new int[] {4, 5, 6})).containsExactly(0f, 0.5f, 0f);
  }

  @Test
  void shouldCopyDeeplySoThatTrainingTheCopyLeavesTheOriginalAlone() {
    TextCnn original = new TextCnn(SMALL);
    int[] text = {101, 7, 8, 9, 102};
    float[] before = original.logits(text);
    TextCnn copy = original.copy();

    copy.trainBatch(List.of(text), List.of(new float[] {5, 0, 0}), 1f, null, loss,
        new Adam(Adam.Settings.defaults().withLearningRate(0.1)));

    assertThat(original.logits(text)).isEqualTo(before);
    assertThat(copy.logits(text)).isNotEqualTo(before);
    assertThat(copy.logits(text)[0] - copy.logits(text)[1]).isGreaterThan(before[0] - before[1]);
  }

  @Test
  void shouldRebuildFromItsWeightsAndRefuseWeightsOfAnotherShape() {
    TextCnn model = new TextCnn(SMALL);
    Map<String, float[]> weights = new LinkedHashMap<>();
    model.parameters().forEach(p -> weights.put(p.name(), p.values()));

    TextCnn rebuilt = TextCnn.fromWeights(SMALL, weights);

    assertThat(rebuilt.logits(new int[] {3, 4, 5})).isEqualTo(model.logits(new int[] {3, 4, 5}));
    weights.put("conv3.bias", new float[4]);
    assertThatThrownBy(() -> TextCnn.fromWeights(SMALL, weights))
        .hasMessage("tensor conv3.bias has 4 values but shape [5] needs 5");
  }

  @Test
  void shouldRejectABatchWhoseTeacherHasADifferentLabelSet() {
    TextCnn model = new TextCnn(SMALL);

    assertThatThrownBy(() -> model.computeGradients(List.of(new int[] {4}),
        List.of(new float[5]), 1f, null, loss))
        .hasMessage("teacher logits of example 0 have length 5 but the student has 3 classes");
    assertThatThrownBy(() -> model.computeGradients(List.of(), List.of(), 1f, null, loss))
        .hasMessage("batch is empty");
  }

  @Test
  void shouldRejectInvalidConfigNamingTheField() {
    assertThatThrownBy(() -> SMALL.withFilterWidths(3, 3))
        .hasMessage("filterWidths must be distinct (they name the conv tensors), got [3, 3]");
    assertThatThrownBy(() -> SMALL.withDropout(1f))
        .hasMessage("dropout must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> SMALL.withMaxTokens(0)).hasMessage("maxTokens must be > 0, got 0");
  }
}
