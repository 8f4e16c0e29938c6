package org.streamdistill.teacher.experiments;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.teacher.model.Teacher;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * Scores every CLINC150 split once with a fitted teacher bundle and writes what the student
 * trainer's offline experiments need, so that they can replay the demo's stream in seconds
 * without ONNX Runtime: per utterance its split, its index in the split, its gold label index,
 * the teacher's token ids and logits. Not a test; a command-line tool for experiments (the file
 * is data: keep it out of the repository, e.g. in /tmp).
 *
 * <p>Usage: {@code java -cp <teacher-stream classes and dependencies> TeacherScoreCache
 * <bundle dir> <data_full.json> <output file> [threads]}. Read by {@code
 * org.streamdistill.student.experiments.TeacherScores} in student-trainer's tests.
 *
 * <p>Format (big-endian, {@link DataOutputStream}): {@code "TSC1"}, int label count, each label
 * (UTF), float temperature, UTF teacher version, int split count, each split name (UTF), int
 * record count, then per record: byte split, int index in split, int gold index (-1 when the
 * teacher does not know the label), short token count, int ids, float logits.
 */
public final class TeacherScoreCache {

  /** Splits in the order they are written. */
  static final List<String> SPLITS = List.of("train", "oos_train", "val", "oos_val", "test", "oos_test");

  private TeacherScoreCache() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: TeacherScoreCache <bundle dir> <data_full.json> <output file> [threads]");
      System.exit(2);
    }
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();
    Clinc150 data = Clinc150.read(Path.of(args[1]));
    long start = System.nanoTime();
    int count = 0;
    for (String split : SPLITS) {
      count += data.split(split).size();
    }
    try (Teacher teacher = Teacher.open(Path.of(args[0]), threads);
         DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(Path.of(args[2]))))) {
      out.writeBytes("TSC1");
      out.writeInt(teacher.labels().size());
      for (String label : teacher.labels()) {
        out.writeUTF(label);
      }
      out.writeFloat((float) teacher.temperature());
      out.writeUTF(teacher.version());
      out.writeInt(SPLITS.size());
      for (String split : SPLITS) {
        out.writeUTF(split);
      }
      out.writeInt(count);
      int done = 0;
      for (int s = 0; s < SPLITS.size(); s++) {
        List<Clinc150.Example> examples = data.split(SPLITS.get(s));
        for (int from = 0; from < examples.size(); from += 32) {
          List<Clinc150.Example> batch = examples.subList(from, Math.min(from + 32, examples.size()));
          List<String> texts = new ArrayList<>(batch.size());
          for (Clinc150.Example e : batch) {
            texts.add(e.text());
          }
          List<TeacherScore> scores = teacher.score(texts);
          for (int i = 0; i < batch.size(); i++) {
            TeacherScore score = scores.get(i);
            out.writeByte(s);
            out.writeInt(from + i);
            out.writeInt(teacher.labelIndex(batch.get(i).label()));
            int[] ids = score.tokenIds();
            out.writeShort(ids.length);
            for (int id : ids) {
              out.writeInt(id);
            }
            for (float logit : score.logits()) {
              out.writeFloat(logit);
            }
          }
          done += batch.size();
          if (done % 3200 < 32) {
            System.out.printf("%,d / %,d scored (%.0f s)%n", done, count, (System.nanoTime() - start) / 1e9);
          }
        }
      }
    }
    System.out.printf("wrote %,d scores to %s in %.0f s%n", count, args[2], (System.nanoTime() - start) / 1e9);
  }
}
