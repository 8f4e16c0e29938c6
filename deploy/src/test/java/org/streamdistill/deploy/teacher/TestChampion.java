package org.streamdistill.deploy.teacher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.student.export.ExportMetadata;
import org.streamdistill.student.export.OnnxExporter;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;
import org.streamdistill.teacher.model.MiniLmEncoder;
import org.streamdistill.teacher.model.TeacherBundle;

/**
 * A champion student for gate tests: the trainer's TextCNN, trained for one pass over 3,000
 * CLINC150 training utterances on their gold labels (a peaked one-hot teacher), exported to ONNX
 * as the trainer exports its checkpoints. Good on some turns, unsure of others: what a gate needs.
 */
final class TestChampion {

  private TestChampion() {}

  static void trainAndExport(Clinc150 clinc, Path bundleDir, String version, Path file) throws Exception {
    TeacherBundle bundle = TeacherBundle.load(bundleDir);
    List<String> labels = bundle.labels();
    TextCnn model = new TextCnn(TextCnnConfig.defaults(labels.size()));
    Adam adam = new Adam(Adam.Settings.defaults());
    DistillationLoss loss = new DistillationLoss(1f);
    List<Clinc150.Example> train = clinc.trainWithOos();
    List<int[]> ids = new ArrayList<>();
    List<float[]> logits = new ArrayList<>();
    List<Integer> gold = new ArrayList<>();
    try (MiniLmEncoder encoder = new MiniLmEncoder(1)) {
      for (int i = 0; i < 3_000; i++) {
        Clinc150.Example example = train.get((int) ((i * 7919L) % train.size()));
        int label = labels.indexOf(example.label());
        float[] oneHot = new float[labels.size()];
        Arrays.fill(oneHot, -5f);
        oneHot[label] = 5f;
        ids.add(encoder.tokenize(example.text()).ids());
        logits.add(oneHot);
        gold.add(label);
        if (ids.size() == 32) {
          model.trainBatch(ids, logits, 1f, gold, loss, adam);
          ids.clear();
          logits.clear();
          gold.clear();
        }
      }
    }
    OnnxExporter.export(model, new ExportMetadata("student", version, bundle.labelSetId(), labels), file);
  }
}
