package org.streamdistill.student.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.UnsafeByteOperations;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;

/**
 * Writes a {@link TextCnn} as a standard ONNX model (IR version 7, default-domain opset 13) that
 * any ONNX runtime can serve.
 *
 * <h2>Graph</h2>
 *
 * <pre>
 * token_ids  int64 [batch, sequence]           ids already prepared (see below)
 *   Gather(embedding [V,E], axis 0)        ->  [batch, sequence, E]
 *   Transpose(perm 0,2,1)                  ->  [batch, E, sequence]
 *   per width w, in config order:
 *     Conv(conv{w}.weight [F,E,w], conv{w}.bias [F]; no padding, stride 1) -> [batch, F, sequence-w+1]
 *     ReduceMax(axes [2], keepdims 0)      ->  [batch, F]     max over time
 *     Relu                                 ->  [batch, F]
 *   Concat(axis 1)                         ->  [batch, F * widths]
 *   Gemm(dense.weight [C,D], dense.bias [C], transB 1) -> logits        float [batch, C]
 *   Softmax(axis 1)                                      -> probabilities float [batch, C]
 * </pre>
 *
 * {@code batch} and {@code sequence} are symbolic: any batch size and any sequence length of at
 * least the widest filter. Both {@code probabilities} and {@code logits} are graph outputs.
 *
 * <h2>Input preparation is the caller's job</h2>
 *
 * The graph starts at the embedding lookup. Callers must feed ids prepared exactly as {@link
 * TextCnn#prepareTokens(int[])} prepares them (strip a leading [CLS] and a trailing [SEP], cut
 * to {@code maxTokens}, pad with id 0 to the widest filter), or else the probabilities differ
 * from the Java model's. The steps are written into the file's {@code metadata_props} as an
 * {@link InputContract} (keys {@code streamdistill.input.*}) so that a server holding only the
 * file can apply them; {@link ExportedStudent#read(Path)} reads them back. Rows of one batch must
 * have the same length; padding a row further than the contract says changes its result
 * ("valid" convolutions over padding positions take part in the max), so batch rows of equal
 * prepared length together, or run one row at a time.
 *
 * <p>Files are written atomically (temporary file in the same directory, fsync, rename), so a
 * reader sees either the previous file or the complete new one.
 */
public final class OnnxExporter {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxExporter.class);

  /** Name of the graph input: int64 {@code [batch, sequence]} prepared token ids. */
  public static final String INPUT = "token_ids";
  /** Name of the float {@code [batch, classes]} softmax output. */
  public static final String PROBABILITIES = "probabilities";
  /** Name of the float {@code [batch, classes]} logits output. */
  public static final String LOGITS = "logits";
  /** Default-domain operator set the graph uses (ReduceMax still takes axes as an attribute). */
  public static final int OPSET = 13;
  /** ONNX IR version of the file (IR 7 is the first to cover opset 13). */
  public static final long IR_VERSION = 7;
  /** Symbolic name of the batch dimension. */
  public static final String BATCH_DIM = "batch";
  /** Symbolic name of the sequence dimension. */
  public static final String SEQUENCE_DIM = "sequence";

  static final String PRODUCER = "streamdistill-student";
  static final String MODEL_NAME = "streamdistill.model_name";
  static final String MODEL_VERSION = "streamdistill.model_version";
  static final String LABEL_SET_ID = "streamdistill.label_set_id";
  static final String LABEL_NAMES = "streamdistill.label_names";
  static final String TOKENIZER = "streamdistill.tokenizer";
  /** What the ids index: the teacher's tokenizer, so the same ids the soft labels carry. */
  static final String TOKENIZER_DESCRIPTION = "BERT uncased WordPiece (all-MiniLM-L6-v2 "
      + "tokenizer.json) with [CLS]/[SEP]; then the streamdistill.input.* steps";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VERSIONED_EXPORT = Pattern.compile("(.+-v\\d+)\\.onnx");

  private OnnxExporter() {}

  /** The ONNX model of {@code model}'s current weights, with {@code metadata} attached. */
  public static ModelProto toModelProto(TextCnn model, ExportMetadata metadata) {
    TextCnnConfig config = model.config();
    if (metadata.labelNames().size() != config.numClasses()) {
      throw new IllegalArgumentException("metadata names " + metadata.labelNames().size()
          + " labels but the model has " + config.numClasses() + " classes");
    }
    int e = config.embeddingDim();
    int f = config.filtersPerWidth();
    GraphProto.Builder graph = GraphProto.newBuilder().setName("textcnn_student")
        .addInput(tensorValue(INPUT, TensorProto.DataType.INT64, BATCH_DIM, SEQUENCE_DIM))
        .addOutput(tensorValue(PROBABILITIES, TensorProto.DataType.FLOAT, BATCH_DIM,
            config.numClasses()))
        .addOutput(tensorValue(LOGITS, TensorProto.DataType.FLOAT, BATCH_DIM,
            config.numClasses()));

    graph.addInitializer(floatTensor(TextCnn.EMBEDDING,
        model.parameter(TextCnn.EMBEDDING).values(), config.vocabSize(), e));
    graph.addNode(node("Gather", "embed", List.of(TextCnn.EMBEDDING, INPUT), "embedded")
        .addAttribute(intAttribute("axis", 0)));
    graph.addNode(node("Transpose", "to_channels", List.of("embedded"), "channels")
        .addAttribute(intsAttribute("perm", 0, 2, 1)));

    List<String> pooled = new ArrayList<>();
    for (int w : config.filterWidths()) {
      String weight = TextCnn.convWeightName(w);
      String bias = TextCnn.convBiasName(w);
      graph.addInitializer(floatTensor(weight,
          transposeWindowAndChannel(model.parameter(weight).values(), f, w, e), f, e, w));
      graph.addInitializer(floatTensor(bias, model.parameter(bias).values(), f));
      graph.addNode(node("Conv", "conv" + w, List.of("channels", weight, bias), "conv" + w + ".out")
          .addAttribute(intsAttribute("kernel_shape", w))
          .addAttribute(intsAttribute("strides", 1))
          .addAttribute(intsAttribute("pads", 0, 0))
          .addAttribute(intsAttribute("dilations", 1)));
      graph.addNode(node("ReduceMax", "max_over_time" + w, List.of("conv" + w + ".out"),
          "conv" + w + ".max")
          .addAttribute(intsAttribute("axes", 2))
          .addAttribute(intAttribute("keepdims", 0)));
      graph.addNode(node("Relu", "relu" + w, List.of("conv" + w + ".max"), "conv" + w + ".pooled"));
      pooled.add("conv" + w + ".pooled");
    }
    graph.addNode(node("Concat", "concat", pooled, "features")
        .addAttribute(intAttribute("axis", 1)));
    graph.addInitializer(floatTensor(TextCnn.DENSE_WEIGHT,
        model.parameter(TextCnn.DENSE_WEIGHT).values(), config.numClasses(), config.featureDim()));
    graph.addInitializer(floatTensor(TextCnn.DENSE_BIAS,
        model.parameter(TextCnn.DENSE_BIAS).values(), config.numClasses()));
    graph.addNode(node("Gemm", "dense",
        List.of("features", TextCnn.DENSE_WEIGHT, TextCnn.DENSE_BIAS), LOGITS)
        .addAttribute(intAttribute("transB", 1)));
    graph.addNode(node("Softmax", "softmax", List.of(LOGITS), PROBABILITIES)
        .addAttribute(intAttribute("axis", 1)));

    ModelProto.Builder proto = ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setProducerName(PRODUCER)
        .setProducerVersion("1")
        .setDomain("org.streamdistill")
        .setModelVersion(versionNumber(metadata.modelVersion()))
        .setDocString("TextCNN student " + metadata.modelVersion() + " (" + config + "). Input "
            + INPUT + ": ids prepared as streamdistill.input.* describes.")
        .setGraph(graph);
    metadataProps(metadata, InputContract.of(config)).forEach((k, v) ->
        proto.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return proto.build();
  }

  /**
   * Writes the ONNX model of {@code model} to {@code file} atomically.
   *
   * @throws IOException if the file cannot be written; {@code file} then keeps its old content
   */
  public static void export(TextCnn model, ExportMetadata metadata, Path file) throws IOException {
    ModelProto proto = toModelProto(model, metadata);
    writeAtomically(file, proto::writeTo);
  }

  /**
   * Exports {@code model} to {@code <version>.onnx} beside its checkpoint {@code <version>.ckpt}
   * and deletes the exports whose checkpoint no longer exists (the checkpoint store prunes old
   * versions; their exports would otherwise pile up at about 8 MB each).
   *
   * @return the written file
   */
  public static Path exportBeside(Path checkpointFile, TextCnn model, ExportMetadata metadata)
      throws IOException {
    Path file = besideCheckpoint(checkpointFile);
    export(model, metadata, file);
    deleteOrphanedExports(file.toAbsolutePath().getParent());
    return file;
  }

  /** Where {@link #exportBeside} puts the export of {@code checkpointFile}. */
  public static Path besideCheckpoint(Path checkpointFile) {
    String name = checkpointFile.getFileName().toString();
    String stem = name.endsWith(".ckpt") ? name.substring(0, name.length() - 5) : name;
    return checkpointFile.resolveSibling(stem + ".onnx");
  }

  private static void deleteOrphanedExports(Path directory) throws IOException {
    List<Path> orphans;
    try (var listing = Files.list(directory)) {
      orphans = listing.filter(p -> p.getFileName().toString().endsWith(".onnx"))
          .filter(p -> {
            Matcher m = VERSIONED_EXPORT.matcher(p.getFileName().toString());
            return m.matches() && !Files.exists(p.resolveSibling(m.group(1) + ".ckpt"));
          })
          .toList();
    }
    for (Path orphan : orphans) {
      Files.deleteIfExists(orphan);
      LOG.debug("deleted {}: its checkpoint was pruned", orphan);
    }
  }

  // ---------------------------------------------------------------- metadata

  static Map<String, String> metadataProps(ExportMetadata metadata, InputContract input) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(MODEL_NAME, metadata.modelName());
    m.put(MODEL_VERSION, metadata.modelVersion());
    m.put(LABEL_SET_ID, metadata.labelSetId());
    try {
      m.put(LABEL_NAMES, JSON.writeValueAsString(metadata.labelNames()));
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write label names as JSON", ex);
    }
    m.put(TOKENIZER, TOKENIZER_DESCRIPTION);
    m.putAll(input.toMetadata());
    return m;
  }

  /** The trailing number of {@code name-v<n>}, or 0: ONNX's model_version is an int64. */
  private static long versionNumber(String version) {
    int v = version.lastIndexOf("-v");
    if (v >= 0) {
      try {
        return Long.parseLong(version.substring(v + 2));
      } catch (NumberFormatException ignored) {
        // not a <name>-v<n> version: no number
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------- graph pieces

  /** {@code [F, w, E]} (the Java layout) to {@code [F, E, w]} (ONNX Conv over {@code [N, E, L]}). */
  static float[] transposeWindowAndChannel(float[] weight, int filters, int width, int dim) {
    float[] out = new float[weight.length];
    for (int f = 0; f < filters; f++) {
      for (int k = 0; k < width; k++) {
        for (int e = 0; e < dim; e++) {
          out[(f * dim + e) * width + k] = weight[(f * width + k) * dim + e];
        }
      }
    }
    return out;
  }

  private static TensorProto floatTensor(String name, float[] values, int... dims) {
    long expected = 1;
    for (int d : dims) {
      expected *= d;
    }
    if (expected != values.length) {
      throw new IllegalStateException("tensor " + name + " has " + values.length
          + " values, its shape needs " + expected);
    }
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    TensorProto.Builder tensor = TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.FLOAT.getNumber())
        // raw_data is little-endian by the ONNX spec; the array is not shared, so no copy.
        .setRawData(UnsafeByteOperations.unsafeWrap(bytes.array()));
    for (int d : dims) {
      tensor.addDims(d);
    }
    return tensor.build();
  }

  /** A tensor value info whose dims are names (symbolic) or sizes. */
  private static ValueInfoProto tensorValue(String name, TensorProto.DataType type,
      Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof String symbol) {
        dim.setDimParam(symbol);
      } else {
        dim.setDimValue((Integer) d);
      }
      shape.addDim(dim);
    }
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
            .setElemType(type.getNumber()).setShape(shape)))
        .build();
  }

  private static NodeProto.Builder node(String op, String name, List<String> inputs,
      String output) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
  }

  private static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
  }

  private static AttributeProto intsAttribute(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
        .setType(AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  // ---------------------------------------------------------------- files

  private interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private static void writeAtomically(Path file, Writer writer) throws IOException {
    Path target = file.toAbsolutePath();
    Path directory = target.getParent();
    Files.createDirectories(directory);
    Path temp = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        writer.writeTo(out);
        out.flush();
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + target + " atomically on this file system", e);
      }
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
  }
}
