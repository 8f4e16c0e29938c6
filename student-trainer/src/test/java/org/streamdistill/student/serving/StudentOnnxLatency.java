package org.streamdistill.student.serving;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.student.export.ExportMetadata;
import org.streamdistill.student.export.OnnxExporter;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;

/**
 * Hand-run measurement, not a test: per-turn latency of the exported default-size student
 * ({@link TextCnnConfig#defaults}, 151 classes, or other filter widths given as a third argument) through ONNX Runtime (DJL, one
 * intra-op thread, batch 1, one calling thread) over 1,000 CLINC150 test turns, as the server
 * runs it ({@link OnnxStudent#probabilities(int[])}: input contract plus one ONNX Runtime call).
 * Reports wall-clock time and the calling thread's CPU time per call (the steadier figure on a
 * shared machine). Also times the teacher tokenizer and the Java forward pass on the same turns. Weights are the
 * initial ones: the amount of work, hence latency, does not depend on their values.
 *
 * <pre>
 *   mvn -B -q -pl student-trainer test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -Dai.djl.offline=true -cp student-trainer/target/classes:student-trainer/target/test-classes:$(cat student-trainer/target/cp.txt) \
 *       org.streamdistill.student.serving.StudentOnnxLatency [path/to/data_full.json] [rounds] [widths, e.g. 3,4,5]
 * </pre>
 */
public final class StudentOnnxLatency {

  private static final int TURNS = 1_000;
  // With one intra-op thread ONNX Runtime computes on the calling thread, so this thread's CPU
  // time is the model's cost without the waits a shared machine adds to wall-clock time.
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    Path data = args.length > 0 ? Path.of(args[0]) : Clinc150.DEFAULT_PATH;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Clinc150 clinc = Clinc150.read(data);
    List<String> labels = clinc.labels();
    List<Clinc150.Example> test = new ArrayList<>(clinc.testWithOos());
    Collections.shuffle(test, new Random(2024));
    test = test.subList(0, TURNS);

    TextCnnConfig shape = TextCnnConfig.defaults(labels.size());
    if (args.length > 2) {   // other filter widths, e.g. 3,4,5 for the shape before widths 1 and 2 joined
      shape = new TextCnnConfig(shape.vocabSize(), shape.embeddingDim(),
          java.util.Arrays.stream(args[2].split(",")).map(Integer::valueOf).toList(), shape.filtersPerWidth(),
          shape.maxTokens(), shape.numClasses(), shape.dropout(), shape.stripSpecialTokens(), shape.seed());
    }
    TextCnn model = new TextCnn(shape);
    Path dir = Files.createTempDirectory("student-latency");
    Path file = dir.resolve("student-v1.onnx");
    OnnxExporter.export(model, new ExportMetadata("student", "student-v1", "clinc150", labels),
        file);
    System.out.printf("exported %s (%.1f MB), %d turns, %d rounds%n", model.config(),
        Files.size(file) / 1e6, TURNS, rounds);

    List<int[]> ids = new ArrayList<>();
    long[] tokenizeNanos = new long[TURNS];
    try (TeacherTokenizer tokenizer = new TeacherTokenizer()) {
      for (int round = 0; round < 2; round++) {   // first round warms up
        ids.clear();
        for (int i = 0; i < TURNS; i++) {
          long start = System.nanoTime();
          ids.add(tokenizer.encode(test.get(i).text()));
          tokenizeNanos[i] = System.nanoTime() - start;
        }
      }
    }
    report("teacher tokenizer", tokenizeNanos);
    System.out.printf("mean tokens per turn (with [CLS]/[SEP]): %.1f%n",
        ids.stream().mapToInt(a -> a.length).average().orElse(0));

    try (OnnxStudent onnx = OnnxStudent.open(file, 1)) {
      float sink = 0;
      for (int i = 0; i < 2 * TURNS; i++) {
        sink += onnx.probabilities(ids.get(i % TURNS))[0];
      }
      for (int round = 1; round <= rounds; round++) {
        long[] nanos = new long[TURNS];
        long[] cpuNanos = new long[TURNS];
        for (int i = 0; i < TURNS; i++) {
          long cpuStart = THREADS.getCurrentThreadCpuTime();
          long start = System.nanoTime();
          sink += onnx.probabilities(ids.get(i))[0];
          nanos[i] = System.nanoTime() - start;
          cpuNanos[i] = THREADS.getCurrentThreadCpuTime() - cpuStart;
        }
        report("student ONNX Runtime, batch 1, round " + round, nanos);
        report("  same calls, CPU time of the calling thread", cpuNanos);
      }
      long[] nanos = new long[TURNS];
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < TURNS; i++) {
          long start = System.nanoTime();
          sink += model.logits(ids.get(i))[0];
          nanos[i] = System.nanoTime() - start;
        }
      }
      report("student Java forward (for reference)", nanos);
      double maxDifference = 0;
      for (int i = 0; i < TURNS; i++) {
        float[] p = onnx.probabilities(ids.get(i));
        float[] logits = model.logits(ids.get(i));
        double max = Arrays.stream(box(logits)).max().orElseThrow();
        double sum = 0;
        for (float l : logits) {
          sum += Math.exp(l - max);
        }
        for (int c = 0; c < p.length; c++) {
          maxDifference = Math.max(maxDifference, Math.abs(p[c] - Math.exp(logits[c] - max) / sum));
        }
      }
      System.out.printf("max |p_onnx - p_java| over the turns: %.2e (sink %s)%n", maxDifference,
          sink);
    }
  }

  private static double[] box(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private static void report(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double mean = Arrays.stream(sorted).average().orElse(0);
    System.out.printf("%-45s p50 %7.1f us  p99 %7.1f us  mean %7.1f us  max %8.1f us%n", what,
        sorted[sorted.length / 2] / 1e3, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e3,
        mean / 1e3, sorted[sorted.length - 1] / 1e3);
  }
}
