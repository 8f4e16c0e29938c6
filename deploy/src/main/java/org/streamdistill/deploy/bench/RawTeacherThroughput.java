package org.streamdistill.deploy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.streamdistill.teacher.model.Teacher;
import org.streamdistill.teacher.model.TeacherScore;

/**
 * The teacher alone: {@link Teacher#score} on ONNX Runtime, no Kafka, no Flink, the texts in
 * memory. Every figure is taken after a warm-up on the first texts (JIT, ONNX Runtime's first
 * runs), and counts tokenizing, inference and the head, as the job's operator does.
 */
final class RawTeacherThroughput {

  private RawTeacherThroughput() {}

  /** Texts per second scoring {@code texts} in consecutive batches of {@code batch}. */
  static double perSecond(Teacher teacher, List<String> texts, int batch) {
    warmUp(teacher, texts, batch);
    long start = System.nanoTime();
    scoreAll(teacher, texts, batch, null);
    return texts.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** As {@link #perSecond}, keeping every score (for the student's training data). */
  static double perSecond(Teacher teacher, List<String> texts, int batch, List<TeacherScore> scores) {
    warmUp(teacher, texts, batch);
    long start = System.nanoTime();
    scoreAll(teacher, texts, batch, scores);
    return texts.size() / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * {@code parallelism} teachers with {@code intraOpThreads} threads each, one per thread, each
   * scoring its share of {@code texts} (split as the job's source splits partitions: one
   * contiguous share each) in batches of {@code batch}. Timed from a common start until the last
   * one finishes.
   */
  static double parallelPerSecond(Path bundle, int parallelism, int intraOpThreads, List<String> texts, int batch)
      throws Exception {
    List<Teacher> teachers = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(parallelism);
    try {
      for (int i = 0; i < parallelism; i++) {
        teachers.add(Teacher.open(bundle, intraOpThreads));
      }
      CyclicBarrier ready = new CyclicBarrier(parallelism + 1);
      List<Future<?>> work = new ArrayList<>();
      int share = (texts.size() + parallelism - 1) / parallelism;
      for (int i = 0; i < parallelism; i++) {
        Teacher teacher = teachers.get(i);
        List<String> mine = texts.subList(Math.min(texts.size(), i * share), Math.min(texts.size(), (i + 1) * share));
        work.add(threads.submit(() -> {
          try {
            warmUp(teacher, mine, batch);
          } catch (RuntimeException e) {
            ready.reset(); // breaks the barrier for everyone instead of leaving them waiting
            throw e;
          }
          ready.await();
          scoreAll(teacher, mine, batch, null);
          return null;
        }));
      }
      ready.await();
      long start = System.nanoTime();
      for (Future<?> f : work) {
        f.get();
      }
      return texts.size() / ((System.nanoTime() - start) / 1e9);
    } finally {
      threads.shutdownNow();
      teachers.forEach(Teacher::close);
    }
  }

  private static void warmUp(Teacher teacher, List<String> texts, int batch) {
    List<String> head = texts.subList(0, Math.min(texts.size(), Math.max(4 * batch, 64)));
    for (int round = 0; round < 2; round++) {
      scoreAll(teacher, head, batch, null);
    }
  }

  private static void scoreAll(Teacher teacher, List<String> texts, int batch, List<TeacherScore> scores) {
    for (int i = 0; i < texts.size(); i += batch) {
      List<TeacherScore> out = teacher.score(texts.subList(i, Math.min(texts.size(), i + batch)));
      if (scores != null) {
        scores.addAll(out);
      }
    }
  }
}
