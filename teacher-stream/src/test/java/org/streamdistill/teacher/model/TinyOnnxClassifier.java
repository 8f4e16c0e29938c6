package org.streamdistill.teacher.model;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A small but real ONNX sequence classifier, written by the test, that stands in for a
 * classifier a user exports from Hugging Face: it takes {@code input_ids} and
 * {@code attention_mask} (and, in one variant, {@code token_type_ids}), int64
 * {@code [batch, tokens]}, and outputs {@code logits [batch, labels]}. The network is a token
 * embedding (plus a token-type embedding), the attention-masked mean over tokens, and a dense
 * layer: the same shape of computation as a Transformer classifier's head, without the layers.
 * {@link #logits} computes it in plain Java, so tests can compare ONNX Runtime's answers with
 * independently computed ones. Weights are seeded random numbers.
 */
public final class TinyOnnxClassifier {

  /** Vocabulary of the all-MiniLM-L6-v2 tokenizer this classifier is paired with in tests. */
  public static final int VOCAB = 30_522;
  public static final int DIMENSION = 8;
  private static final int TOKEN_TYPES = 2;
  private static final int OPSET = 13;

  private final boolean withTokenTypes;
  private final int classes;
  private final float[][] embedding;
  private final float[][] typeEmbedding;
  private final float[][] weights; // [DIMENSION][classes]
  private final float[] bias;

  private TinyOnnxClassifier(boolean withTokenTypes, int classes, long seed) {
    this.withTokenTypes = withTokenTypes;
    this.classes = classes;
    Random random = new Random(seed);
    embedding = gaussian(random, VOCAB, DIMENSION, 1.0);
    typeEmbedding = gaussian(random, TOKEN_TYPES, DIMENSION, 0.5);
    weights = gaussian(random, DIMENSION, classes, 1.0);
    bias = gaussian(random, 1, classes, 0.1)[0];
  }

  /**
   * A classifier over {@code classes} labels.
   *
   * @param withTokenTypes whether the model declares (and uses) a {@code token_type_ids} input
   */
  public static TinyOnnxClassifier create(boolean withTokenTypes, int classes, long seed) {
    return new TinyOnnxClassifier(withTokenTypes, classes, seed);
  }

  public boolean withTokenTypes() {
    return withTokenTypes;
  }

  /** Writes the model as an ONNX file (opset 13). */
  public Path write(Path file) throws IOException {
    GraphProto.Builder graph = GraphProto.newBuilder().setName("tiny-sequence-classifier");
    graph.addInput(int64Input("input_ids"));
    graph.addInput(int64Input("attention_mask"));
    if (withTokenTypes) {
      graph.addInput(int64Input("token_type_ids"));
    }
    graph.addInitializer(floatTensor("embedding", embedding));
    if (withTokenTypes) {
      graph.addInitializer(floatTensor("type_embedding", typeEmbedding));
    }
    graph.addInitializer(floatTensor("weights", weights));
    graph.addInitializer(floatTensor("bias", new float[][] {bias}).toBuilder().clearDims().addDims(classes).build());
    graph.addInitializer(int64Tensor("axis_tokens", 1));
    graph.addInitializer(int64Tensor("axis_last", 2));
    graph.addInitializer(floatTensor("one", new float[][] {{1f}}).toBuilder().clearDims().build());

    graph.addNode(node("Gather", List.of("embedding", "input_ids"), "token_vectors"));
    String vectors = "token_vectors";
    if (withTokenTypes) {
      graph.addNode(node("Gather", List.of("type_embedding", "token_type_ids"), "type_vectors"));
      graph.addNode(node("Add", List.of("token_vectors", "type_vectors"), "vectors"));
      vectors = "vectors";
    }
    graph.addNode(node("Cast", List.of("attention_mask"), "mask").toBuilder()
        .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
            .setI(TensorProto.DataType.FLOAT.getNumber()))
        .build());
    graph.addNode(node("Unsqueeze", List.of("mask", "axis_last"), "mask3"));
    graph.addNode(node("Mul", List.of(vectors, "mask3"), "masked"));
    graph.addNode(reduceSum("masked", "summed"));
    graph.addNode(reduceSum("mask3", "count"));
    graph.addNode(node("Max", List.of("count", "one"), "safe_count"));
    graph.addNode(node("Div", List.of("summed", "safe_count"), "mean"));
    graph.addNode(node("Gemm", List.of("mean", "weights", "bias"), "logits"));
    graph.addOutput(ValueInfoProto.newBuilder().setName("logits").setType(tensorType(
        TensorProto.DataType.FLOAT, dim("batch"), TensorShapeProto.Dimension.newBuilder().setDimValue(classes).build())));

    ModelProto model = ModelProto.newBuilder()
        .setIrVersion(7)
        .setProducerName("streamdistill-tests")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(graph)
        .build();
    Files.write(file, model.toByteArray());
    return file;
  }

  /**
   * What the model computes for one unpadded sequence, in plain Java (double accumulation):
   * {@code bias + W^T mean_t(E[id_t] + T[type_t])}.
   */
  public float[] logits(int[] ids, int[] typeIds) {
    double[] mean = new double[DIMENSION];
    for (int t = 0; t < ids.length; t++) {
      for (int d = 0; d < DIMENSION; d++) {
        mean[d] += embedding[ids[t]][d] + (withTokenTypes ? typeEmbedding[typeIds[t]][d] : 0f);
      }
    }
    int count = Math.max(ids.length, 1);
    float[] logits = new float[classes];
    for (int c = 0; c < classes; c++) {
      double sum = bias[c];
      for (int d = 0; d < DIMENSION; d++) {
        sum += weights[d][c] * (mean[d] / count);
      }
      logits[c] = (float) sum;
    }
    return logits;
  }

  /** Copies the all-MiniLM-L6-v2 {@code tokenizer.json} from the class path to {@code file}. */
  public static Path writeMiniLmTokenizer(Path file) throws IOException {
    String resource = EncoderId.ALL_MINILM_L6_V2.tokenizerResource();
    try (InputStream in = TinyOnnxClassifier.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("class-path resource " + resource + " not found");
      }
      Files.copy(in, file);
    }
    return file;
  }

  /** Writes {@code labels} one per line. */
  public static Path writeLabels(Path file, List<String> labels) throws IOException {
    Files.writeString(file, String.join("\n", labels) + "\n", StandardCharsets.UTF_8);
    return file;
  }

  private static NodeProto reduceSum(String input, String output) {
    return node("ReduceSum", List.of(input, "axis_tokens"), output).toBuilder()
        .addAttribute(AttributeProto.newBuilder().setName("keepdims").setType(AttributeProto.AttributeType.INT).setI(0))
        .build();
  }

  private static NodeProto node(String op, List<String> inputs, String output) {
    return NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output).build();
  }

  private static ValueInfoProto int64Input(String name) {
    return ValueInfoProto.newBuilder().setName(name)
        .setType(tensorType(TensorProto.DataType.INT64, dim("batch"), dim("tokens")))
        .build();
  }

  private static TensorShapeProto.Dimension dim(String name) {
    return TensorShapeProto.Dimension.newBuilder().setDimParam(name).build();
  }

  private static TypeProto tensorType(TensorProto.DataType type, TensorShapeProto.Dimension... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (TensorShapeProto.Dimension d : dims) {
      shape.addDim(d);
    }
    return TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))
        .build();
  }

  private static TensorProto floatTensor(String name, float[][] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * values[0].length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : values) {
      for (float v : row) {
        raw.putFloat(v);
      }
    }
    raw.flip();
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
        .addDims(values.length).addDims(values[0].length)
        .setRawData(ByteString.copyFrom(raw))
        .build();
  }

  private static TensorProto int64Tensor(String name, long value) {
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
        .addDims(1).addInt64Data(value).build();
  }

  private static float[][] gaussian(Random random, int rows, int columns, double scale) {
    float[][] values = new float[rows][columns];
    for (float[] row : values) {
      for (int j = 0; j < columns; j++) {
        row[j] = (float) (random.nextGaussian() * scale);
      }
    }
    return values;
  }
}
