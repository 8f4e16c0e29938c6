package org.streamdistill.student.serving;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.streamdistill.student.export.ExportedStudent;
import org.streamdistill.student.export.OnnxExporter;

/**
 * One exported student loaded in ONNX Runtime (through DJL): raw WordPiece ids in, class
 * probabilities out. Prepares ids with the file's own {@link
 * org.streamdistill.student.export.InputContract}, so callers pass ids exactly as the
 * tokenizer (or a soft label) gives them.
 *
 * <p>Thread-safe: the ONNX Runtime session may run concurrently; DJL predictors may not, so each
 * call borrows one from a pool that grows to the number of concurrent callers. Owns the session
 * and the predictors; {@link #close()} releases them and must not race with calls (see {@link
 * ServedModel}, which guarantees that).
 */
public final class OnnxStudent implements AutoCloseable {

  private static final String ENGINE = "OnnxRuntime";

  private final Path file;
  private final ExportedStudent description;
  private final Model model;
  private final Queue<Predictor<NDList, NDList>> predictors = new ConcurrentLinkedQueue<>();

  private OnnxStudent(Path file, ExportedStudent description, Model model) {
    this.file = file;
    this.description = description;
    this.model = model;
  }

  /**
   * Loads an export written by {@link OnnxExporter}.
   *
   * @param intraOpThreads ONNX Runtime threads inside one operator; 1 suits a server whose
   *     concurrency comes from parallel requests
   * @throws IOException if the file is missing, not an ONNX model, or lacks the exporter's
   *     metadata
   */
  public static OnnxStudent open(Path file, int intraOpThreads) throws IOException {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + intraOpThreads);
    }
    ExportedStudent description = ExportedStudent.read(file);
    Model model = Model.newInstance(description.metadata().modelVersion(), Device.cpu(), ENGINE);
    try (InputStream in = Files.newInputStream(file)) {
      // DJL's OrtModel only applies intraOpNumThreads when interOpNumThreads is also set.
      model.load(in, Map.of("interOpNumThreads", "1",
          "intraOpNumThreads", Integer.toString(intraOpThreads)));
    } catch (MalformedModelException e) {
      model.close();
      throw new IOException("ONNX Runtime cannot load " + file + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
    return new OnnxStudent(file, description, model);
  }

  /** Where the model was loaded from. */
  public Path file() {
    return file;
  }

  /** Version, labels and input contract of the loaded file. */
  public ExportedStudent description() {
    return description;
  }

  /** The model version the file declares. */
  public String version() {
    return description.metadata().modelVersion();
  }

  /**
   * Class probabilities of one text given as raw token ids (with [CLS]/[SEP] if the tokenizer
   * adds them).
   *
   * @throws IllegalArgumentException if a kept id is outside the vocabulary
   */
  public float[] probabilities(int[] tokenIds) {
    long[] prepared = description.input().prepare(tokenIds);
    return probabilitiesOfPrepared(new long[][] {prepared})[0];
  }

  /**
   * Class probabilities of rows that are already prepared and all of the same length (one
   * ONNX Runtime call).
   */
  public float[][] probabilitiesOfPrepared(long[][] rows) {
    int batch = rows.length;
    if (batch == 0) {
      return new float[0][];
    }
    int length = rows[0].length;
    long[] flat = new long[batch * length];
    for (int b = 0; b < batch; b++) {
      if (rows[b].length != length) {
        throw new IllegalArgumentException("rows of one batch must have equal length: row 0 has "
            + length + " ids, row " + b + " has " + rows[b].length);
      }
      System.arraycopy(rows[b], 0, flat, b * length, length);
    }
    int classes = description.numClasses();
    float[] out;
    Predictor<NDList, NDList> predictor = borrow();
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray ids = manager.create(flat, new Shape(batch, length));
      ids.setName(OnnxExporter.INPUT);
      NDList result = predictor.predict(new NDList(ids));
      NDArray probabilities = result.get(OnnxExporter.PROBABILITIES);
      out = (probabilities != null ? probabilities : result.head()).toFloatArray();
    } catch (TranslateException e) {
      throw new IllegalStateException("ONNX Runtime failed on " + version() + " for a batch of "
          + batch + " x " + length + " ids: " + e.getMessage(), e);
    } finally {
      predictors.offer(predictor);
    }
    float[][] rowsOut = new float[batch][classes];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(out, b * classes, rowsOut[b], 0, classes);
    }
    return rowsOut;
  }

  private Predictor<NDList, NDList> borrow() {
    Predictor<NDList, NDList> predictor = predictors.poll();
    return predictor != null ? predictor : model.newPredictor(new NoopTranslator());
  }

  /** Closes the predictors and the ONNX Runtime session. No call may be running. */
  @Override
  public void close() {
    try {
      Predictor<NDList, NDList> predictor;
      while ((predictor = predictors.poll()) != null) {
        predictor.close();
      }
    } finally {
      model.close();
    }
  }
}
