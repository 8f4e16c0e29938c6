package org.streamdistill.student.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;

class OnnxExporterTest {

  /** Vocabulary 50, embedding 6, widths 2/3/4 x 5 filters, at most 8 tokens, 4 classes. */
  private static final TextCnnConfig SMALL = new TextCnnConfig(50, 6, List.of(2, 3, 4), 5, 8, 4,
      0f, true, 11L);
  private static final ExportMetadata METADATA = new ExportMetadata("student", "student-v7",
      "labels-abc", Arrays.asList("greet", null, "bye", "oos"));

  @TempDir
  Path dir;

  @Test
  void shouldWriteTheTextCnnGraphAsOpset13Nodes() throws Exception {
    Path file = dir.resolve("student-v7.onnx");

    OnnxExporter.export(new TextCnn(SMALL), METADATA, file);

    ModelProto model = read(file);
    assertThat(model.getIrVersion()).isEqualTo(7);
    assertThat(model.getOpsetImportList()).singleElement().satisfies(opset -> {
      assertThat(opset.getDomain()).isEmpty();
      assertThat(opset.getVersion()).isEqualTo(13);
    });
    assertThat(model.getModelVersion()).isEqualTo(7);
    assertThat(model.getGraph().getNodeList()).extracting(NodeProto::getOpType).containsExactly(
        "Gather", "Transpose",
        "Conv", "ReduceMax", "Relu",
        "Conv", "ReduceMax", "Relu",
        "Conv", "ReduceMax", "Relu",
        "Concat", "Gemm", "Softmax");
    NodeProto gather = node(model, "Gather");
    assertThat(gather.getInputList()).containsExactly("embedding", "token_ids");
    assertThat(attribute(gather, "axis").getI()).isZero();
    assertThat(attribute(node(model, "Transpose"), "perm").getIntsList()).containsExactly(0L, 2L, 1L);
    NodeProto conv3 = model.getGraph().getNodeList().stream()
        .filter(n -> n.getName().equals("conv3")).findFirst().orElseThrow();
    assertThat(conv3.getInputList()).containsExactly("channels", "conv3.weight", "conv3.bias");
    assertThat(attribute(conv3, "kernel_shape").getIntsList()).containsExactly(3L);
    assertThat(attribute(conv3, "pads").getIntsList()).containsExactly(0L, 0L);
    NodeProto reduceMax = node(model, "ReduceMax");
    assertThat(attribute(reduceMax, "axes").getIntsList()).containsExactly(2L);
    assertThat(attribute(reduceMax, "keepdims").getI()).isZero();
    assertThat(node(model, "Concat").getInputList())
        .containsExactly("conv2.pooled", "conv3.pooled", "conv4.pooled");
    assertThat(attribute(node(model, "Concat"), "axis").getI()).isEqualTo(1);
    NodeProto gemm = node(model, "Gemm");
    assertThat(gemm.getInputList()).containsExactly("features", "dense.weight", "dense.bias");
    assertThat(gemm.getOutputList()).containsExactly("logits");
    assertThat(attribute(gemm, "transB").getI()).isEqualTo(1);
    assertThat(node(model, "Softmax").getOutputList()).containsExactly("probabilities");
    assertThat(attribute(node(model, "Softmax"), "axis").getI()).isEqualTo(1);
  }

  @Test
  void shouldDeclareInt64TokenIdsAndFloatOutputsWithSymbolicBatchAndSequence() throws Exception {
    Path file = dir.resolve("m.onnx");

    OnnxExporter.export(new TextCnn(SMALL), METADATA, file);

    ModelProto model = read(file);
    assertThat(model.getGraph().getInputList()).singleElement().satisfies(input -> {
      assertThat(input.getName()).isEqualTo("token_ids");
      assertThat(input.getType().getTensorType().getElemType())
          .isEqualTo(TensorProto.DataType.INT64.getNumber());
      assertThat(dims(input)).containsExactly("batch", "sequence");
    });
    assertThat(model.getGraph().getOutputList()).extracting(ValueInfoProto::getName)
        .containsExactly("probabilities", "logits");
    for (ValueInfoProto output : model.getGraph().getOutputList()) {
      assertThat(output.getType().getTensorType().getElemType())
          .isEqualTo(TensorProto.DataType.FLOAT.getNumber());
      assertThat(dims(output)).containsExactly("batch", "4");
    }
    Map<String, List<Long>> shapes = new LinkedHashMap<>();
    for (TensorProto t : model.getGraph().getInitializerList()) {
      shapes.put(t.getName(), t.getDimsList());
    }
    assertThat(shapes).containsExactly(
        Map.entry("embedding", List.of(50L, 6L)),
        Map.entry("conv2.weight", List.of(5L, 6L, 2L)),
        Map.entry("conv2.bias", List.of(5L)),
        Map.entry("conv3.weight", List.of(5L, 6L, 3L)),
        Map.entry("conv3.bias", List.of(5L)),
        Map.entry("conv4.weight", List.of(5L, 6L, 4L)),
        Map.entry("conv4.bias", List.of(5L)),
        Map.entry("dense.weight", List.of(4L, 15L)),
        Map.entry("dense.bias", List.of(4L)));
  }

  @Test
  void shouldStoreConvWeightsAsFiltersByChannelsByWindow() throws Exception {
    TextCnn cnn = new TextCnn(SMALL);
    float[] java = cnn.parameter("conv3.weight").values(); // [F=5, w=3, E=6]
    Path file = dir.resolve("m.onnx");

    OnnxExporter.export(cnn, METADATA, file);

    float[] onnx = floats(initializer(read(file), "conv3.weight")); // [F=5, E=6, w=3]
    for (int f = 0; f < 5; f++) {
      for (int k = 0; k < 3; k++) {
        for (int e = 0; e < 6; e++) {
          assertThat(onnx[(f * 6 + e) * 3 + k]).isEqualTo(java[(f * 3 + k) * 6 + e]);
        }
      }
    }
    assertThat(floats(initializer(read(file), "embedding")))
        .containsExactly(cnn.parameter("embedding").values());
    assertThat(floats(initializer(read(file), "dense.weight")))
        .containsExactly(cnn.parameter("dense.weight").values());
  }

  @Test
  void shouldCarryVersionLabelsAndTheInputContractInMetadata() throws Exception {
    Path file = dir.resolve("m.onnx");

    OnnxExporter.export(new TextCnn(SMALL), METADATA, file);

    ExportedStudent described = ExportedStudent.read(file);
    assertThat(described.metadata()).isEqualTo(METADATA);
    assertThat(described.metadata().labelName(1)).isEqualTo("label-1");
    assertThat(described.numClasses()).isEqualTo(4);
    assertThat(described.input()).isEqualTo(new InputContract(50, 8, 4, true, 101, 102, 0));
  }

  @Test
  void shouldPrepareIdsExactlyAsTheJavaModel() {
    for (TextCnnConfig config : List.of(SMALL.withVocabSize(200), SMALL.withVocabSize(200)
        .withStripSpecialTokens(false))) {
      TextCnn cnn = new TextCnn(config);
      InputContract contract = InputContract.of(config);
      SplittableRandom random = new SplittableRandom(5);
      List<int[]> inputs = new ArrayList<>(List.of(new int[0], new int[] {101}, new int[] {101, 102},
          new int[] {101, 7, 102, 8, 102}, new int[] {5, 6}, new int[] {101, 1, 2, 3, 4, 5, 6, 7, 8,
              9, 10, 102}));
      for (int i = 0; i < 500; i++) {
        int[] ids = random.ints(random.nextInt(14), 0, 200).toArray();
        if (ids.length > 0 && random.nextBoolean()) {
          ids[0] = 101;
          ids[ids.length - 1] = 102;
        }
        inputs.add(ids);
      }
      for (int[] ids : inputs) {
        assertThat(contract.prepare(ids))
            .as("prepared %s", Arrays.toString(ids))
            .containsExactly(Arrays.stream(cnn.prepareTokens(ids)).asLongStream().toArray());
      }
    }
    assertThatThrownBy(() -> InputContract.of(SMALL).prepare(new int[] {101, 3, 50, 102}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token id 50 at position 2 is outside the vocabulary [0, 50)");
  }

  @Test
  void shouldGiveTheJavaModelsProbabilitiesThroughOnnxRuntime() throws Exception {
    // A briefly trained small model, so that weights are not just their initial values.
    TextCnn cnn = new TextCnn(SMALL);
    SplittableRandom random = new SplittableRandom(3);
    Adam adam = new Adam(Adam.Settings.defaults().withLearningRate(0.01));
    for (int step = 0; step < 30; step++) {
      List<int[]> ids = new ArrayList<>();
      List<float[]> teacher = new ArrayList<>();
      for (int b = 0; b < 8; b++) {
        ids.add(random.ints(1 + random.nextInt(10), 1, 50).toArray());
        teacher.add(new float[] {random.nextFloat() * 4, 0, 1, random.nextFloat()});
      }
      cnn.trainBatch(ids, teacher, 2f, null, DistillationLoss.withDefaults(), adam);
    }
    Path file = dir.resolve("m.onnx");
    OnnxExporter.export(cnn, METADATA, file);
    InputContract contract = InputContract.of(SMALL);

    try (OrtRunner ort = new OrtRunner(file)) {
      for (int i = 0; i < 200; i++) {
        int[] ids = random.ints(random.nextInt(13), 1, 50).toArray();
        OrtRunner.Outputs out = ort.run(new long[][] {contract.prepare(ids)});
        float[] javaLogits = cnn.logits(ids);
        double[] javaProbabilities = OrtRunner.softmax(javaLogits);
        for (int c = 0; c < 4; c++) {
          assertThat((double) out.probabilities()[0][c]).isCloseTo(javaProbabilities[c], within(1e-6));
          assertThat(out.logits()[0][c]).isCloseTo(javaLogits[c], within(1e-4f));
        }
      }
    }
  }

  @Test
  void shouldReplaceAnExistingFileAndLeaveNoTemporaryFile() throws Exception {
    Path file = dir.resolve("m.onnx");
    Files.writeString(file, "an older export");

    OnnxExporter.export(new TextCnn(SMALL), METADATA, file);

    assertThat(ExportedStudent.read(file).metadata().modelVersion()).isEqualTo("student-v7");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void shouldExportBesideTheCheckpointAndDeleteExportsOfPrunedCheckpoints() throws Exception {
    Files.writeString(dir.resolve("student-v1.onnx"), "checkpoint pruned");
    Files.writeString(dir.resolve("student-v2.ckpt"), "kept");
    Files.writeString(dir.resolve("student-v2.onnx"), "kept");
    Files.writeString(dir.resolve("notes.onnx"), "not ours");
    Path checkpoint = dir.resolve("student-v3.ckpt");
    Files.writeString(checkpoint, "the new checkpoint");

    Path written = OnnxExporter.exportBeside(checkpoint, new TextCnn(SMALL), METADATA);

    assertThat(written).isEqualTo(dir.resolve("student-v3.onnx"));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
          "student-v2.ckpt", "student-v2.onnx", "notes.onnx", "student-v3.ckpt", "student-v3.onnx");
    }
  }

  @Test
  void shouldRefuseMetadataWhoseLabelsDoNotMatchTheClasses() {
    ExportMetadata three = new ExportMetadata("student", "student-v1", "x", List.of("a", "b", "c"));

    assertThatThrownBy(() -> OnnxExporter.export(new TextCnn(SMALL), three, dir.resolve("m.onnx")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metadata names 3 labels but the model has 4 classes");
  }

  @Test
  void shouldRefuseToDescribeAFileNotWrittenByTheExporter() throws Exception {
    Path file = dir.resolve("other.onnx");
    ModelProto bare = OnnxExporter.toModelProto(new TextCnn(SMALL), METADATA).toBuilder()
        .clearMetadataProps().build();
    Files.write(file, bare.toByteArray());

    assertThatThrownBy(() -> ExportedStudent.read(file))
        .hasMessageContaining("metadata_props lack streamdistill.label_names");
  }

  // ---------------------------------------------------------------- helpers

  private static ModelProto read(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return ModelProto.parseFrom(in);
    }
  }

  private static NodeProto node(ModelProto model, String op) {
    return model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op))
        .findFirst().orElseThrow();
  }

  private static AttributeProto attribute(NodeProto node, String name) {
    return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(node.getOpType() + " has no attribute " + name));
  }

  private static TensorProto initializer(ModelProto model, String name) {
    return model.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name))
        .findFirst().orElseThrow();
  }

  private static List<String> dims(ValueInfoProto value) {
    List<String> dims = new ArrayList<>();
    for (TensorShapeProto.Dimension d : value.getType().getTensorType().getShape().getDimList()) {
      dims.add(d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue()));
    }
    return dims;
  }

  private static float[] floats(TensorProto tensor) {
    FloatBuffer buffer = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer();
    float[] values = new float[buffer.remaining()];
    buffer.get(values);
    return values;
  }
}
