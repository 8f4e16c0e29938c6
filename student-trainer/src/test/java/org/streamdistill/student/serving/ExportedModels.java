package org.streamdistill.student.serving;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.streamdistill.student.export.ExportMetadata;
import org.streamdistill.student.export.OnnxExporter;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;

/** Small students over the full BERT vocabulary (so text requests work), exported for tests. */
final class ExportedModels {

  static final List<String> LABELS = List.of("greeting", "goodbye", "weather");

  private ExportedModels() {}

  /** A small model of {@code seed}: embedding 4, widths 2/3 x 4 filters, 3 classes. */
  static TextCnn model(long seed) {
    return new TextCnn(new TextCnnConfig(TextCnnConfig.BERT_UNCASED_VOCAB_SIZE, 4, List.of(2, 3),
        4, 16, LABELS.size(), 0f, true, seed));
  }

  /** Exports {@code model} as {@code version} to {@code <dir>/<version>.onnx}. */
  static Path export(TextCnn model, String version, Path dir) throws IOException {
    Path file = dir.resolve(version + ".onnx");
    OnnxExporter.export(model, new ExportMetadata("student", version, "test-labels", LABELS), file);
    return file;
  }
}
