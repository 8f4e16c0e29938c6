package org.streamdistill.student.model;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.optim.Adam;

/**
 * Hand-run measurement, not a test: training examples per second of the default-size TextCNN
 * (151 classes) at batch 32 on one thread, with inputs shaped like the teacher's soft labels
 * ([CLS] + 12-20 random WordPiece ids, or as many as given, + [SEP]; logits at T=4; gold on
 * 10 %), plus inference.
 * Reports wall-clock rates and rates per CPU-second of this thread: on a shared machine the
 * second is the steadier number.
 *
 * <pre>
 *   mvn -B -q -pl student-trainer test-compile
 *   java -cp student-trainer/target/classes:student-trainer/target/test-classes \
 *       org.streamdistill.student.model.TrainingThroughput [seconds [minTokens maxTokens]]
 * </pre>
 */
public final class TrainingThroughput {

  private static final int BATCH = 32;
  private static final int CLASSES = 151;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
    int minTokens = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    int maxTokens = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    SplittableRandom random = new SplittableRandom(7);
    List<int[]> ids = new ArrayList<>();
    List<float[]> teacher = new ArrayList<>();
    List<Integer> gold = new ArrayList<>();
    int pool = 4096;
    long tokens = 0;
    for (int i = 0; i < pool; i++) {
      int n = minTokens + random.nextInt(maxTokens - minTokens + 1);
      int[] seq = new int[n + 2];
      seq[0] = TextCnnConfig.CLS_ID;
      for (int p = 1; p <= n; p++) {
        seq[p] = 999 + random.nextInt(TextCnnConfig.BERT_UNCASED_VOCAB_SIZE - 999);
      }
      seq[n + 1] = TextCnnConfig.SEP_ID;
      tokens += n;
      ids.add(seq);
      float[] logits = new float[CLASSES];
      for (int c = 0; c < CLASSES; c++) {
        logits[c] = (float) (random.nextDouble() * 6 - 3);
      }
      logits[random.nextInt(CLASSES)] += 8;
      teacher.add(logits);
      gold.add(random.nextInt(10) == 0 ? random.nextInt(CLASSES) : null);
    }
    TextCnnConfig config = TextCnnConfig.defaults(CLASSES);
    System.out.printf("config %s, mean tokens after stripping %.1f%n", config,
        (double) tokens / pool);
    TextCnn model = new TextCnn(config);
    Adam adam = new Adam(Adam.Settings.defaults());
    DistillationLoss loss = DistillationLoss.withDefaults();

    run("warm-up", model, adam, loss, ids, teacher, gold, Math.min(seconds, 5));
    run("training", model, adam, loss, ids, teacher, gold, seconds);

    // Inference, one text at a time and in batches of 32.
    long start = System.nanoTime();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
    long done = 0;
    float sink = 0;
    while (System.nanoTime() - start < seconds * 0.5e9) {
      sink += model.logits(ids.get((int) (done % pool)))[0];
      done++;
    }
    report("inference batch 1", done, start, cpuStart);
    start = System.nanoTime();
    cpuStart = THREADS.getCurrentThreadCpuTime();
    done = 0;
    while (System.nanoTime() - start < seconds * 0.5e9) {
      int from = (int) (done % (pool - BATCH));
      sink += model.logitsBatch(ids.subList(from, from + BATCH))[0][0];
      done += BATCH;
    }
    report("inference batch 32", done, start, cpuStart);
    if (sink == 42) {
      System.out.println("(keeps the JIT from dropping the loops)");
    }
  }

  private static void report(String label, long examples, long wallStart, long cpuStart) {
    double wall = (System.nanoTime() - wallStart) / 1e9;
    double cpu = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
    System.out.printf("%s: %d examples, %.0f examples/s wall-clock, %.0f examples per CPU-second%n",
        label, examples, examples / wall, examples / cpu);
  }

  private static void run(String label, TextCnn model, Adam adam, DistillationLoss loss,
      List<int[]> ids, List<float[]> teacher, List<Integer> gold, double seconds) {
    long start = System.nanoTime();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
    long examples = 0;
    int from = 0;
    double lastLoss = 0;
    while (System.nanoTime() - start < seconds * 1e9) {
      if (from + BATCH > ids.size()) {
        from = 0;
      }
      lastLoss = model.trainBatch(ids.subList(from, from + BATCH),
          teacher.subList(from, from + BATCH), 4f, gold.subList(from, from + BATCH), loss, adam);
      from += BATCH;
      examples += BATCH;
    }
    report(label + " (batch " + BATCH + ", last loss " + String.format("%.3f", lastLoss) + ")",
        examples, start, cpuStart);
  }
}
