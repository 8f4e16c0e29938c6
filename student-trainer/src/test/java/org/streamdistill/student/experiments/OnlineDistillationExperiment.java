package org.streamdistill.student.experiments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.streamdistill.student.loss.DistillationLoss;
import org.streamdistill.student.model.TeacherEmbeddings;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;
import org.streamdistill.student.optim.InverseSqrtDecay;
import org.streamdistill.student.optim.LearningRateSchedule;
import org.streamdistill.student.training.ChallengerModel;
import org.streamdistill.student.training.TrainerConfig;

/**
 * Hand-run experiment, not a test: replays the demo's online stream (3 shuffled passes over
 * CLINC150 train + oos_train, gold labels on 10 % of turns, predict-then-learn in batches of 32)
 * from a cache of the teacher's token ids and logits, in seconds instead of the demo's minutes,
 * and reports the final student's in-scope accuracy on the val split (for choosing settings) and,
 * when asked, on the test split, optionally as a learning curve.
 *
 * <pre>
 *   # once: the teacher's scores (see teacher-stream's TeacherScoreCache)
 *   mvn -B -q -o -pl student-trainer test-compile
 *   mvn -o -q -pl student-trainer dependency:build-classpath -Dmdep.outputFile=/tmp/st.cp -Dmdep.includeScope=test
 *   java -cp student-trainer/target/classes:student-trainer/target/test-classes:$(cat /tmp/st.cp) \
 *       org.streamdistill.student.experiments.OnlineDistillationExperiment \
 *       cache=/tmp/sdexp/teacher-scores.bin seeds=42,7,1234 eval=val [key=value ...]
 * </pre>
 *
 * Keys (unset ones take the trainer's defaults): {@code lr alpha T (0: the soft label's) smooth
 * (label smoothing of the soft labels) dim filters widths maxTokens dropout batch passes gold init
 * (random|teacher) rms sched (const|invsqrt|linear|cosine|exp) warmup decayTurns floor clip
 * freezeEmbedding eval (val|test|both) curve (turns between curve points; 0 none) curveSplit
 * (val|test) seeds threads name}. The trainer's defaults before the changes this harness chose
 * were {@code init=random filters=64 sched=const}.
 */
public final class OnlineDistillationExperiment {

  // Training speed is reported per CPU-second of the training thread: on a shared machine that is
  // the steadier figure.
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();
  private static final Map<String, float[]> EMBEDDING_TABLES = new ConcurrentHashMap<>();
  private static volatile TeacherEmbeddings teacherEmbeddings;

  private OnlineDistillationExperiment() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("arguments are key=value, got " + a);
      }
      o.put(a.substring(0, eq), a.substring(eq + 1));
    }
    TeacherScores scores = TeacherScores.read(Path.of(o.getOrDefault("cache", "/tmp/sdexp/teacher-scores.bin")));
    long[] seeds = Arrays.stream(o.getOrDefault("seeds", "42").split(",")).mapToLong(Long::parseLong).toArray();
    int threads = Integer.parseInt(o.getOrDefault("threads", "1"));
    Settings settings = Settings.of(o);
    System.out.println("settings " + settings);
    System.out.printf(Locale.ROOT, "teacher %s: in-scope accuracy val %.4f test %.4f%n", scores.teacherVersion,
        teacherAccuracy(scores.concat("val", "oos_val"), scores.oosIndex),
        teacherAccuracy(scores.concat("test", "oos_test"), scores.oosIndex));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Result>> futures = new ArrayList<>();
    for (long seed : seeds) {
      futures.add(pool.submit(() -> run(scores, settings, seed)));
    }
    double valSum = 0;
    double testSum = 0;
    List<Result> results = new ArrayList<>();
    for (Future<Result> f : futures) {
      Result r = f.get();
      results.add(r);
      valSum += r.val;
      testSum += r.test;
      System.out.printf(Locale.ROOT, "seed %d: val %.4f test %s  (%.1f s wall, %.0f turns learned per CPU-second)%n", r.seed, r.val,
          Double.isNaN(r.test) ? "-" : String.format(Locale.ROOT, "%.4f", r.test), r.seconds, r.turnsPerSecond);
    }
    pool.shutdown();
    System.out.printf(Locale.ROOT, "MEAN %s | val %.4f test %s | %s%n", o.getOrDefault("name", ""), valSum / seeds.length,
        Double.isNaN(testSum) ? "-" : String.format(Locale.ROOT, "%.4f", testSum / seeds.length), settings);
    if (settings.curve > 0) {
      System.out.println("curve (" + settings.curveSplit + " in-scope accuracy by turns streamed), per seed:");
      for (int p = 0; p < results.get(0).curve.size(); p++) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%7d", results.get(0).curve.get(p)[0].intValue()));
        double sum = 0;
        for (Result r : results) {
          line.append(String.format(Locale.ROOT, " %.4f", r.curve.get(p)[1]));
          sum += r.curve.get(p)[1];
        }
        line.append(String.format(Locale.ROOT, "  mean %.4f", sum / results.size()));
        System.out.println(line);
      }
    }
  }

  record Settings(double lr, float alpha, float temperature, float smooth, int dim, int filters,
                  List<Integer> widths, int maxTokens, float dropout, int batch, int passes, double gold,
                  String init, float rms, String sched, long warmup, long decayTurns, double floor,
                  double clip, String eval, int curve, String curveSplit, boolean freezeEmbedding,
                  double replay, int replayCap, boolean replayGoldOnly, double ema,
                  double tokenDrop) {
    /** Unset keys take the trainer's defaults ({@link TrainerConfig}), so no key means "as the demo runs". */
    static Settings of(Map<String, String> o) {
      TrainerConfig d = TrainerConfig.of(Map.of());
      List<Integer> widths = Arrays.stream(o.getOrDefault("widths", d.filterWidths().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","))).split(","))
          .map(Integer::parseInt).toList();
      String sched = d.learningRateDecayAfterSamples() > 0 ? "invsqrt" : "const";
      return new Settings(Double.parseDouble(o.getOrDefault("lr", Double.toString(d.learningRate()))),
          Float.parseFloat(o.getOrDefault("alpha", Float.toString(d.alpha()))),
          Float.parseFloat(o.getOrDefault("T", "0")),
          Float.parseFloat(o.getOrDefault("smooth", "0")),
          Integer.parseInt(o.getOrDefault("dim", Integer.toString(d.embeddingDim()))),
          Integer.parseInt(o.getOrDefault("filters", Integer.toString(d.filtersPerWidth()))), widths,
          Integer.parseInt(o.getOrDefault("maxTokens", Integer.toString(d.maxTokens()))),
          Float.parseFloat(o.getOrDefault("dropout", "0")),
          Integer.parseInt(o.getOrDefault("batch", Integer.toString(d.batchSize()))),
          Integer.parseInt(o.getOrDefault("passes", "3")),
          Double.parseDouble(o.getOrDefault("gold", "0.1")), o.getOrDefault("init", d.embeddingInit()),
          Float.parseFloat(o.getOrDefault("rms", Float.toString(TeacherEmbeddings.DEFAULT_RMS))),
          o.getOrDefault("sched", sched), Long.parseLong(o.getOrDefault("warmup", "0")),
          Long.parseLong(o.getOrDefault("decayTurns", Long.toString(d.learningRateDecayAfterSamples()))),
          Double.parseDouble(o.getOrDefault("floor", "0.1")),
          Double.parseDouble(o.getOrDefault("clip", "5")), o.getOrDefault("eval", "val"),
          Integer.parseInt(o.getOrDefault("curve", "0")), o.getOrDefault("curveSplit", "test"),
          Boolean.parseBoolean(o.getOrDefault("freezeEmbedding", "false")),
          Double.parseDouble(o.getOrDefault("replay", Integer.toString(d.replayBatches()))),
          Integer.parseInt(o.getOrDefault("replayCap", Integer.toString(d.replayCapacity()))),
          Boolean.parseBoolean(o.getOrDefault("replayGoldOnly", "false")),
          Double.parseDouble(o.getOrDefault("ema", "0")),
          Double.parseDouble(o.getOrDefault("tokenDrop", "0")));
    }

    /** The schedule in optimizer steps; turn counts are divided by the batch size. */
    LearningRateSchedule schedule() {
      double w = Math.max(1, warmup / (double) batch);
      double horizon = Math.max(1, decayTurns / (double) batch);
      LearningRateSchedule decay = switch (sched) {
        case "const" -> step -> 1.0;
        // As the trainer builds it (TrainerConfig#learningRateSchedule).
        case "invsqrt" -> new InverseSqrtDecay(decayTurns / batch);
        case "linear" -> step -> Math.max(floor, 1.0 - (1.0 - floor) * Math.min(1.0, step / horizon));
        case "cosine" -> step -> floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, step / horizon)));
        case "exp" -> step -> Math.max(floor, Math.pow(0.5, step / horizon));
        default -> throw new IllegalArgumentException("unknown schedule " + sched);
      };
      if (warmup <= 0) {
        return decay;
      }
      return step -> Math.min(1.0, step / w) * decay.factor(step);
    }
  }

  record Result(long seed, double val, double test, double seconds, double turnsPerSecond, List<Double[]> curve) {}

  static Result run(TeacherScores scores, Settings s, long seed) throws IOException {
    TeacherScores.Split train = scores.concat("train", "oos_train");
    TeacherScores.Split val = scores.concat("val", "oos_val");
    TeacherScores.Split test = scores.concat("test", "oos_test");
    TeacherScores.Split curveSplit = s.curveSplit.equals("val") ? val : test;
    DemoStream stream = DemoStream.of(train.size(), s.passes, s.gold, seed);
    int classes = scores.labels.size();
    TextCnnConfig config = new TextCnnConfig(TextCnnConfig.BERT_UNCASED_VOCAB_SIZE, s.dim, s.widths, s.filters,
        s.maxTokens, classes, s.dropout, true, seed);
    TextCnn model = new TextCnn(config);
    if (s.init.equals("teacher")) {
      TeacherEmbeddings.initialise(model, teacherTable(s.dim, s.rms));
    } else if (s.init.startsWith("static:")) {
      TeacherEmbeddings.initialise(model, staticTable(s.init.substring(7), s.dim, s.rms));
    } else if (!s.init.equals("random")) {
      throw new IllegalArgumentException("init is random or teacher, got " + s.init);
    }
    Adam adam = new Adam(Adam.Settings.defaults().withLearningRate(s.lr).withMaxGradientNorm(s.clip))
        .useSchedule(s.schedule());
    DistillationLoss loss = new DistillationLoss(s.alpha);
    float temperature = s.temperature > 0 ? s.temperature : scores.temperature;
    float[][] teacherLogits = train.logits();
    if (s.smooth > 0) {
      teacherLogits = smoothed(teacherLogits, temperature, s.smooth);
    }
    List<Double[]> curve = new ArrayList<>();
    long start = System.nanoTime();
    long trainNanos = 0;
    List<int[]> ids = new ArrayList<>(s.batch);
    List<float[]> logits = new ArrayList<>(s.batch);
    List<Integer> gold = new ArrayList<>(s.batch);
    int nextCurvePoint = s.curve;
    // Replay memory: stream positions already learned once, a ring of at most replayCap.
    int[] memory = new int[Math.min(s.replayCap, stream.size())];
    int memorySize = 0;
    int memoryNext = 0;
    java.util.Random replayRandom = new java.util.Random(seed * 31 + 17);
    double replayCredit = 0;
    TextCnn averaged = s.ema > 0 ? model.copy() : null;
    for (int from = 0; from < stream.size(); from += s.batch) {
      ids.clear();
      logits.clear();
      gold.clear();
      int to = Math.min(stream.size(), from + s.batch);
      for (int i = from; i < to; i++) {
        int e = stream.example()[i];
        ids.add(train.tokenIds()[e]);
        logits.add(teacherLogits[e]);
        gold.add(stream.gold()[i] ? train.gold()[e] : null);
      }
      long t0 = THREADS.getCurrentThreadCpuTime();
      // The trainer predicts the batch before learning from it; the prediction does not change
      // the weights, so only its cost would be reproduced here: skipped.
      if (s.freezeEmbedding) {
        model.computeGradients(ids, logits, temperature, gold, loss);
        model.parameter(TextCnn.EMBEDDING).zeroGradient();
        adam.step(model.parameters());
      } else {
        model.trainBatch(ids, logits, temperature, gold, loss, adam);
      }
      for (int i = from; i < to; i++) {
        if (s.replayGoldOnly && !stream.gold()[i]) {
          continue;
        }
        memory[memoryNext] = i;
        memoryNext = (memoryNext + 1) % memory.length;
        memorySize = Math.min(memory.length, memorySize + 1);
      }
      replayCredit += s.replay;
      while (replayCredit >= 1 && memorySize > 0) {
        replayCredit -= 1;
        ids.clear();
        logits.clear();
        gold.clear();
        for (int k = 0; k < s.batch; k++) {
          int i = memory[replayRandom.nextInt(memorySize)];
          int e = stream.example()[i];
          ids.add(dropTokens(train.tokenIds()[e], s.tokenDrop, replayRandom));
          logits.add(teacherLogits[e]);
          gold.add(stream.gold()[i] ? train.gold()[e] : null);
        }
        model.trainBatch(ids, logits, temperature, gold, loss, adam);
        average(averaged, model, s.ema);
      }
      average(averaged, model, s.ema);
      trainNanos += THREADS.getCurrentThreadCpuTime() - t0;
      if (s.curve > 0 && (to >= nextCurvePoint || to == stream.size())) {
        curve.add(new Double[] {(double) to, inScopeAccuracy(averaged != null ? averaged : model, curveSplit, scores.oosIndex)});
        while (nextCurvePoint <= to) {
          nextCurvePoint += s.curve;
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (averaged != null) {
      model = averaged;
    }
    System.out.printf(Locale.ROOT, "seed %d agreement with the teacher: train %.4f test %.4f%n", seed,
        agreement(model, train), agreement(model, test));
    double valAccuracy = s.eval.equals("test") ? Double.NaN : inScopeAccuracy(model, val, scores.oosIndex);
    double testAccuracy = s.eval.equals("val") ? Double.NaN : inScopeAccuracy(model, test, scores.oosIndex);
    return new Result(seed, valAccuracy, testAccuracy, seconds, stream.size() / (trainNanos / 1e9), curve);
  }

  static double agreement(TextCnn model, TeacherScores.Split split) {
    long same = 0;
    for (int from = 0; from < split.size(); from += 256) {
      int to = Math.min(split.size(), from + 256);
      float[][] out = model.logitsBatch(Arrays.asList(split.tokenIds()).subList(from, to));
      for (int i = from; i < to; i++) {
        if (argmax(out[i - from]) == argmax(split.logits()[i])) {
          same++;
        }
      }
    }
    return (double) same / split.size();
  }

  /** The ids without each inner token (not the first or last) with probability p; at least one inner token stays. */
  static int[] dropTokens(int[] ids, double p, java.util.Random random) {
    if (p <= 0 || ids.length <= 3) {
      return ids;
    }
    int[] out = new int[ids.length];
    int n = 0;
    out[n++] = ids[0];
    for (int i = 1; i < ids.length - 1; i++) {
      if (random.nextDouble() >= p) {
        out[n++] = ids[i];
      }
    }
    if (n == 1) {
      out[n++] = ids[1 + random.nextInt(ids.length - 2)];
    }
    out[n++] = ids[ids.length - 1];
    return Arrays.copyOf(out, n);
  }

  static int argmax(float[] l) {
    int best = 0;
    for (int c = 1; c < l.length; c++) {
      if (l[c] > l[best]) {
        best = c;
      }
    }
    return best;
  }

  /** The trainer's own weight averaging ({@link ChallengerModel#average}); nothing when averaging is off. */
  static void average(TextCnn averaged, TextCnn model, double decay) {
    if (averaged != null) {
      ChallengerModel.average(averaged, model, (float) decay);
    }
  }

  /** Fraction of the split's in-scope utterances whose largest student logit is the gold label. */
  static double inScopeAccuracy(TextCnn model, TeacherScores.Split split, int oosIndex) {
    long correct = 0;
    long total = 0;
    for (int from = 0; from < split.size(); from += 256) {
      int to = Math.min(split.size(), from + 256);
      float[][] out = model.logitsBatch(Arrays.asList(split.tokenIds()).subList(from, to));
      for (int i = from; i < to; i++) {
        int g = split.gold()[i];
        if (g == oosIndex || g < 0) {
          continue;
        }
        total++;
        float[] l = out[i - from];
        int best = 0;
        for (int c = 1; c < l.length; c++) {
          if (l[c] > l[best]) {
            best = c;
          }
        }
        if (best == g) {
          correct++;
        }
      }
    }
    return (double) correct / total;
  }

  static double teacherAccuracy(TeacherScores.Split split, int oosIndex) {
    long correct = 0;
    long total = 0;
    for (int i = 0; i < split.size(); i++) {
      int g = split.gold()[i];
      if (g == oosIndex || g < 0) {
        continue;
      }
      total++;
      float[] l = split.logits()[i];
      int best = 0;
      for (int c = 1; c < l.length; c++) {
        if (l[c] > l[best]) {
          best = c;
        }
      }
      if (best == g) {
        correct++;
      }
    }
    return (double) correct / total;
  }

  /** Logits whose softmax at T is (1 - eps) softmax(t / T) + eps / K. */
  static float[][] smoothed(float[][] logits, float temperature, float eps) {
    float[][] out = new float[logits.length][];
    for (int r = 0; r < logits.length; r++) {
      float[] t = logits[r];
      double max = Double.NEGATIVE_INFINITY;
      for (float v : t) {
        max = Math.max(max, v / temperature);
      }
      double sum = 0;
      for (float v : t) {
        sum += Math.exp(v / temperature - max);
      }
      float[] o = new float[t.length];
      for (int i = 0; i < t.length; i++) {
        double p = Math.exp(t[i] / temperature - max) / sum;
        o[i] = (float) (temperature * Math.log((1 - eps) * p + eps / t.length));
      }
      out[r] = o;
    }
    return out;
  }

  static float[] staticTable(String file, int dim, float rms) throws IOException {
    String key = file + "/" + dim + "/" + rms;
    synchronized (EMBEDDING_TABLES) {
      float[] table = EMBEDDING_TABLES.get(key);
      if (table == null) {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(
            java.nio.file.Files.newInputStream(Path.of(file))))) {
          int rows = in.readInt();
          int width = in.readInt();
          float[] values = new float[rows * width];
          for (int i = 0; i < values.length; i++) {
            values[i] = in.readFloat();
          }
          table = TeacherEmbeddings.of(values, rows, width).projected(dim, rms);
        }
        EMBEDDING_TABLES.put(key, table);
      }
      return table;
    }
  }

  static float[] teacherTable(int dim, float rms) throws IOException {
    String key = dim + "/" + rms;
    float[] table = EMBEDDING_TABLES.get(key);
    if (table != null) {
      return table;
    }
    synchronized (EMBEDDING_TABLES) {
      if (teacherEmbeddings == null) {
        long t0 = System.nanoTime();
        teacherEmbeddings = TeacherEmbeddings.readFromClassPath();
        System.out.printf(Locale.ROOT, "read the teacher's embeddings in %.2f s%n", (System.nanoTime() - t0) / 1e9);
      }
      table = EMBEDDING_TABLES.get(key);
      if (table == null) {
        long t0 = System.nanoTime();
        table = teacherEmbeddings.projected(dim, rms);
        System.out.printf(Locale.ROOT, "projected to %d dimensions in %.2f s%n", dim, (System.nanoTime() - t0) / 1e9);
        EMBEDDING_TABLES.put(key, table);
      }
      return table;
    }
  }
}
