package org.streamdistill.deploy.bench;

import java.nio.file.Path;
import java.util.List;
import org.streamdistill.deploy.bench.BenchReport.Serving;
import org.streamdistill.student.serving.OnnxStudent;
import org.streamdistill.student.serving.TeacherTokenizer;
import org.streamdistill.teacher.model.Teacher;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * Per-turn latency of the teacher and of the exported student, side by side: both on ONNX
 * Runtime with one intra-op thread, one turn per call, text in and label out (tokenizing
 * included for both; the student's tokenizer is the serving endpoint's). The two models take
 * turns in blocks of {@value #BLOCK} texts, so that drifting background load falls on both
 * alike while neither evicts the other's weights from the caches on every turn.
 */
final class ServingLatency {

  static final int BLOCK = 50;
  private static final int WARMUP = 50;

  private ServingLatency() {}

  static Serving measure(Path bundle, Path studentOnnx, List<String> texts) throws Exception {
    int n = texts.size();
    long[] teacherNanos = new long[n];
    long[] studentNanos = new long[n];
    long[] studentModelNanos = new long[n];
    try (Teacher teacher = Teacher.open(bundle, 1);
         OnnxStudent student = OnnxStudent.open(studentOnnx, 1);
         TeacherTokenizer tokenizer = new TeacherTokenizer()) {
      long sink = 0;
      for (int i = 0; i < WARMUP; i++) {
        String text = texts.get(i % n);
        sink += teacher.score(List.of(text)).get(0).topIndex();
        sink += argMax(student.probabilities(tokenizer.encode(text)));
      }
      for (int from = 0; from < n; from += BLOCK) {
        int to = Math.min(n, from + BLOCK);
        for (int i = from; i < to; i++) {
          long start = System.nanoTime();
          TeacherScore score = teacher.score(List.of(texts.get(i))).get(0);
          teacherNanos[i] = System.nanoTime() - start;
          sink += score.topIndex();
        }
        for (int i = from; i < to; i++) {
          long start = System.nanoTime();
          int[] ids = tokenizer.encode(texts.get(i));
          int label = argMax(student.probabilities(ids));
          studentNanos[i] = System.nanoTime() - start;
          sink += label;
        }
        for (int i = from; i < to; i++) {
          long[] prepared = student.description().input().prepare(tokenizer.encode(texts.get(i)));
          long start = System.nanoTime();
          float[] p = student.probabilitiesOfPrepared(new long[][] {prepared})[0];
          studentModelNanos[i] = System.nanoTime() - start;
          sink += argMax(p);
        }
      }
      if (sink == Long.MIN_VALUE) {
        throw new AssertionError("unreachable: keeps the results alive");
      }
    }
    Percentiles teacher = Percentiles.ofNanos(teacherNanos);
    Percentiles student = Percentiles.ofNanos(studentNanos);
    return new Serving(n, teacher, student, Percentiles.ofNanos(studentModelNanos), teacher.p50() / student.p50(),
        teacher.p99() / student.p99());
  }

  private static int argMax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
