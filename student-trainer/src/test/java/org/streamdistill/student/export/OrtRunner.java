package org.streamdistill.student.export;

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

/**
 * Runs an exported file through DJL's ONNX Runtime engine, one thread, and returns both
 * outputs: the independent check of the exporter (it does not use the serving code).
 */
final class OrtRunner implements AutoCloseable {

  /** Both graph outputs of one batch, {@code [batch][classes]}. */
  record Outputs(float[][] probabilities, float[][] logits) {}

  private final Model model;
  private final Predictor<NDList, NDList> predictor;

  OrtRunner(Path file) throws IOException, MalformedModelException {
    model = Model.newInstance("exported-student", Device.cpu(), "OnnxRuntime");
    try (InputStream in = Files.newInputStream(file)) {
      model.load(in, Map.of("interOpNumThreads", "1", "intraOpNumThreads", "1"));
    }
    predictor = model.newPredictor(new NoopTranslator());
  }

  /** Runs rows of equal length as one batch. */
  Outputs run(long[][] rows) throws TranslateException {
    int batch = rows.length;
    int length = rows[0].length;
    long[] flat = new long[batch * length];
    for (int b = 0; b < batch; b++) {
      if (rows[b].length != length) {
        throw new IllegalArgumentException("rows differ in length");
      }
      System.arraycopy(rows[b], 0, flat, b * length, length);
    }
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray ids = manager.create(flat, new Shape(batch, length));
      ids.setName(OnnxExporter.INPUT);
      NDList out = predictor.predict(new NDList(ids));
      return new Outputs(rows(out.get(OnnxExporter.PROBABILITIES), batch),
          rows(out.get(OnnxExporter.LOGITS), batch));
    }
  }

  private static float[][] rows(NDArray array, int batch) {
    float[] flat = array.toFloatArray();
    int classes = flat.length / batch;
    float[][] out = new float[batch][classes];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(flat, b * classes, out[b], 0, classes);
    }
    return out;
  }

  /** Softmax of the Java model's logits, computed in double. */
  static double[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[logits.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
  }
}
