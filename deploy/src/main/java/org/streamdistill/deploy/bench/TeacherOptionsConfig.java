package org.streamdistill.deploy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.teacher.job.TeacherJobConfig;

/**
 * Settings of {@code bench teachers}: which teacher bundles to compare (the first is the
 * baseline), the turns the students learn from, the gate's settings and the cost rounds. The
 * data, Markdown file and seed are {@code bench}'s own settings, reused; {@code
 * --teacher-bundle} is the baseline when no bundle list is given. {@code --quick} changes the
 * defaults of the sizes, never a value given explicitly.
 *
 * @param bundles name to bundle directory, in the order given; the first is the baseline
 * @param gate {@link #UNCERTAINTY} or {@link #BUDGET}: the gated students' policy
 * @param budgetShare policy budget: share of each batch's turns the teacher scores, the most uncertain first
 * @param trainer trainer settings of every student (besides its seed)
 * @param gatedTrainer trainer settings of the gated students, over {@code trainer}
 * @param heldOut the in-scope split the teachers and students are measured on: test, or val to choose settings
 * @param scoresCache where teacher outputs are kept between runs ({@link ScoreCache}); null: nowhere
 * @param students the students to train, {@code NAME:all} and {@code NAME:gated}; always holds the
 *     baseline's {@code all}, the student the others are measured against
 * @param threads students trained at once
 * @param fallback the teacher (one of {@code bundles}) that scores the turns the gate keeps from a
 *     gated student's teacher, a cascade; empty: those turns teach their gold label alone, as in the pipeline
 * @param streamFrom the students learn the training turns whose text hash falls at or above this
 *     share of the split ({@link Clinc150#trainWithOos(double, double)}); 0: all of them
 * @param escalate an escalating teacher made of two of {@code bundles} ({@link Escalation}); null: none
 */
public record TeacherOptionsConfig(boolean quick, Path data, Map<String, Path> bundles, Path markdown,
                                   long seed, int seeds, int passes, int trainTurns, int testTurns,
                                   double goldFraction, String gate, double threshold, double budgetShare,
                                   double auditShare, int costTurns,
                                   int costRounds, Map<String, String> trainer, Map<String, String> gatedTrainer,
                                   Path scoresCache, String heldOut, java.util.Set<String> students,
                                   int threads, String fallback, double streamFrom, Escalate escalate) {

  /**
   * An escalating teacher ({@value #ESCALATE}): {@code base} scores every turn, {@code strong} those
   * on which the base's top probability is under {@code below}; named {@code BASE>STRONG}.
   */
  public record Escalate(String base, String strong, double below) {

    public String name() {
      return base + ">" + strong;
    }
  }

  public static final String BUNDLES = "bench.teachers.bundles";
  public static final String SEEDS = "bench.teachers.seeds";
  public static final String PASSES = "bench.teachers.passes";
  public static final String TRAIN_TURNS = "bench.teachers.train-turns";
  public static final String TEST_TURNS = "bench.teachers.test-turns";
  public static final String GOLD_FRACTION = "bench.teachers.gold-fraction";
  public static final String GATE = "bench.teachers.gate";
  public static final String THRESHOLD = "bench.teachers.uncertainty.threshold";
  public static final String BUDGET_SHARE = "bench.teachers.budget.share";
  public static final String UNCERTAINTY = "uncertainty";
  public static final String BUDGET = "budget";
  public static final String AUDIT_SHARE = "bench.teachers.audit.share";
  public static final String COST_TURNS = "bench.teachers.cost-turns";
  public static final String COST_ROUNDS = "bench.teachers.cost-rounds";
  public static final String TRAINER = "bench.teachers.trainer";
  public static final String GATED_TRAINER = "bench.teachers.gated.trainer";
  public static final String SCORES_CACHE = "bench.teachers.scores-cache";
  public static final String HELD_OUT = "bench.teachers.held-out";
  public static final String STUDENTS = "bench.teachers.students";
  public static final String THREADS = "bench.teachers.threads";
  public static final String STREAM_FROM = "bench.teachers.stream-from";
  public static final String FALLBACK = "bench.teachers.gated.fallback";
  public static final String ESCALATE = "bench.teachers.escalate";
  public static final String ESCALATE_BELOW = "bench.teachers.escalate.below";
  public static final String ALL = "all";
  public static final String GATED = "gated";

  private static final Map<String, Object> JOB_DEFAULTS = TeacherJobConfig.DEFINITION.defaultValues();

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(BenchConfig.DEFINITION.configKeys().get(BenchConfig.DATA))
      .define(BenchConfig.DEFINITION.configKeys().get(BenchConfig.TEACHER_BUNDLE))
      .define(BenchConfig.DEFINITION.configKeys().get(BenchConfig.MARKDOWN))
      .define(BenchConfig.DEFINITION.configKeys().get(BenchConfig.SEED))
      .define(BUNDLES, Type.LIST, "", Importance.HIGH,
          "The teachers to compare, comma-separated NAME=DIR (bundles written by fit: single, int8 or ensemble); the "
              + "first is the baseline the others are measured against. Empty: the --teacher-bundle alone.")
      .define(SEEDS, Type.INT, 3, Range.between(1, 50), Importance.MEDIUM,
          "Students per teacher and policy: seed i orders the turns, draws the gold labels and initialises the "
              + "student with the bench seed + i. Quick: 1.")
      .define(STUDENTS, Type.LIST, "", Importance.MEDIUM,
          "The students to train per seed, comma-separated NAME:all (every turn scored) and NAME:gated (behind the "
              + "gate), e.g. minilm:all,ensemble:gated for a many-seed comparison of two; the baseline's NAME:all is "
              + "always one of them. Empty: every teacher's two.")
      .define(THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW,
          "Students trained at once. Each learns on one thread and the figures are the same whatever this is; up to "
              + "the number of cores it divides the time the students take, but then their training times include "
              + "the contention and compare less well with a run of 1.")
      .define(PASSES, Type.INT, 1, Range.between(1, 20), Importance.MEDIUM,
          "Passes over the training turns (reshuffled each pass), as the demo's default.")
      .define(TRAIN_TURNS, Type.INT, 0, Range.atLeast(0), Importance.LOW,
          "Training turns per pass; 0 takes the whole training split (15,100). Quick: 1500.")
      .define(TEST_TURNS, Type.INT, 4_500, Range.between(10, 4_500), Importance.MEDIUM,
          "In-scope CLINC150 test turns the teachers and students are measured on. Quick: 300.")
      .define(GOLD_FRACTION, Type.DOUBLE, 0.1, Range.between(0.0, 1.0), Importance.LOW,
          "Share of training turns that carry a gold label (as the demo replays them).")
      .define(GATE, Type.STRING, UNCERTAINTY, ConfigDef.ValidString.in(UNCERTAINTY, BUDGET), Importance.MEDIUM,
          "The gated students' policy: uncertainty (the turns whose top probability is under the threshold; the share "
              + "scored follows the student's confidence) or budget (a fixed share of each batch, the most uncertain "
              + "first, as policy budget at a fixed offered load), each with the audit share of the rest.")
      .define(THRESHOLD, Type.DOUBLE, (Double) JOB_DEFAULTS.get(TeacherJobConfig.SELECTION_THRESHOLD),
          Range.between(1e-6, 1.0), Importance.MEDIUM, "Top-probability threshold of the gate, policy uncertainty ("
              + TeacherJobConfig.SELECTION_THRESHOLD + ").")
      .define(BUDGET_SHARE, Type.DOUBLE, 0.35, Range.between(0.01, 1.0), Importance.MEDIUM,
          "Gate budget: the share of each batch's turns the teacher scores for the policy (the budget in turns per "
              + "second over the offered rate), rounded down to whole turns of each batch (0.35 of 32: 11); the audit share of "
              + "the rest comes on top.")
      .define(AUDIT_SHARE, Type.DOUBLE, (Double) JOB_DEFAULTS.get(TeacherJobConfig.SELECTION_AUDIT_SHARE),
          Range.between(0.0, 1.0), Importance.LOW, "Audit share of the gate ("
              + TeacherJobConfig.SELECTION_AUDIT_SHARE + ").")
      .define(COST_TURNS, Type.INT, 480, Range.between(32, 4_500), Importance.LOW,
          "Test turns each teacher scores per cost round (batches of 32). Quick: 96.")
      .define(COST_ROUNDS, Type.INT, 3, Range.between(1, 20), Importance.LOW,
          "Cost rounds; each round times every teacher once, one after the other, so that load on a shared "
              + "machine hits them alike. Quick: 1.")
      .define(TRAINER, Type.LIST, "", Importance.LOW,
          "Trainer settings of every student, comma-separated KEY=VALUE (e.g. trainer.replay.batches=8); empty: the "
              + "trainer's defaults.")
      .define(GATED_TRAINER, Type.LIST, "", Importance.LOW,
          "Trainer settings of the gated students only, over " + TRAINER + " (e.g. more replay, to spend on the "
              + "turns it has the training time the gate saves).")
      .define(FALLBACK, Type.STRING, "", Importance.LOW,
          "A cascade for the gated students: the teacher of --bundles named here (a cheaper one, e.g. int8) scores "
              + "the turns the gate keeps from the gated student's teacher, so the student learns from every turn: the "
              + "gated teacher's labels on the most uncertain, this one's on the rest. The two must share their labels. "
              + "Empty: a turn the gate skips teaches its gold label alone, as in the pipeline without a fallback. "
              + "The teacher job's teacher.fallback.bundle is the same cascade.")
      .define(ESCALATE, Type.STRING, "", Importance.LOW,
          "BASE>STRONG, two teachers of --bundles: adds a teacher of that name that scores each turn with BASE and, "
              + "where BASE's top probability is under " + ESCALATE_BELOW + ", with STRONG instead (its cost paid on "
              + "those turns only; the two must share their labels). Its students are named like any teacher's, e.g. "
              + "'minilm>ensemble:gated'. Empty: none.")
      .define(ESCALATE_BELOW, Type.DOUBLE, 0.9, Range.between(1e-6, 1.0), Importance.LOW,
          "The escalating teacher's threshold on its base's top probability (softmax of the base's logits).")
      .define(STREAM_FROM, Type.DOUBLE, 0.0, Range.between(0.0, 0.99), Importance.LOW,
          "The students learn only the training turns whose text hash falls at or above this share of the split "
              + "(the same turns on every run); 0: every training turn. Teachers fitted with fit --fit.train-share "
              + "at or below it never saw these turns, as a live stream's are new to the teacher.")
      .define(HELD_OUT, Type.STRING, "test", ConfigDef.ValidString.in("test", "val"), Importance.LOW,
          "The in-scope CLINC150 split the teachers and students are measured on: test (4,500 turns), or val (3,000) "
              + "to choose settings without looking at test.")
      .define(SCORES_CACHE, Type.STRING, "", Importance.LOW,
          "A directory where each teacher's outputs for the bench's turns are kept, and read by a later run with the "
              + "same bundle and the same turns instead of scoring them again (the cost rounds always run). Empty: "
              + "score every run.");

  static final Map<String, String> QUICK = Map.of(SEEDS, "1", TRAIN_TURNS, "1500", TEST_TURNS, "300", COST_TURNS,
      "96", COST_ROUNDS, "1");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL", Map.of(
      "data", BenchConfig.DATA, "teacher-bundle", BenchConfig.TEACHER_BUNDLE,
      "markdown", BenchConfig.MARKDOWN, "seed", BenchConfig.SEED, "bundles", BUNDLES, "scores-cache",
      SCORES_CACHE));

  /**
   * Parses flags ({@code --quick} takes no value) and {@code STREAMDISTILL_BENCH_*} variables.
   *
   * @throws ConfigException on a bad value, a bundle entry that is not NAME=DIR, or a name given twice
   */
  public static TeacherOptionsConfig parse(List<String> args, Map<String, String> env) {
    List<String> rest = new ArrayList<>(args);
    boolean quick = rest.remove("--quick");
    Map<String, String> raw = new HashMap<>(LOADER.collect(rest, env));
    if (quick) {
      QUICK.forEach(raw::putIfAbsent);
    }
    Map<String, Object> v = DEFINITION.parse(raw);
    @SuppressWarnings("unchecked")
    List<String> entries = (List<String>) v.get(BUNDLES);
    Map<String, Path> bundles = new LinkedHashMap<>();
    if (entries.isEmpty()) {
      bundles.put("teacher", Path.of((String) v.get(BenchConfig.TEACHER_BUNDLE)));
    }
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        throw new ConfigException(BUNDLES, entry, "each teacher is NAME=DIR, e.g. minilm=target/teacher-bundle");
      }
      String name = entry.substring(0, eq).trim();
      if (bundles.put(name, Path.of(entry.substring(eq + 1).trim())) != null) {
        throw new ConfigException(BUNDLES, entry, "the name " + name + " is given twice");
      }
    }
    Map<String, String> trainer = settings(TRAINER, v);
    Map<String, String> gatedTrainer = new LinkedHashMap<>(trainer);
    gatedTrainer.putAll(settings(GATED_TRAINER, v));
    String markdown = (String) v.get(BenchConfig.MARKDOWN);
    String cache = (String) v.get(SCORES_CACHE);
    Escalate escalate = escalate((String) v.get(ESCALATE), (Double) v.get(ESCALATE_BELOW), bundles.keySet());
    java.util.Set<String> teachers = new java.util.LinkedHashSet<>(bundles.keySet());
    if (escalate != null) {
      teachers.add(escalate.name());
    }
    @SuppressWarnings("unchecked")
    java.util.Set<String> students = students((List<String>) v.get(STUDENTS), teachers);
    String fallback = ((String) v.get(FALLBACK)).trim();
    if (!fallback.isEmpty() && !bundles.containsKey(fallback)) {
      throw new ConfigException(FALLBACK, fallback, "the fallback teacher is one of --bundles by name: "
          + bundles.keySet());
    }
    return new TeacherOptionsConfig(quick, Path.of((String) v.get(BenchConfig.DATA)), bundles,
        markdown.isBlank() ? null : Path.of(markdown),
        (Long) v.get(BenchConfig.SEED), (Integer) v.get(SEEDS), (Integer) v.get(PASSES), (Integer) v.get(TRAIN_TURNS),
        (Integer) v.get(TEST_TURNS), (Double) v.get(GOLD_FRACTION), (String) v.get(GATE), (Double) v.get(THRESHOLD),
        (Double) v.get(BUDGET_SHARE), (Double) v.get(AUDIT_SHARE), (Integer) v.get(COST_TURNS), (Integer) v.get(COST_ROUNDS), trainer,
        gatedTrainer, cache.isBlank() ? null : Path.of(cache), (String) v.get(HELD_OUT), students,
        (Integer) v.get(THREADS), fallback, (Double) v.get(STREAM_FROM), escalate);
  }

  private static Escalate escalate(String value, double below, java.util.Set<String> bundles) {
    if (value.isBlank()) {
      return null;
    }
    String[] parts = value.split(">", -1);
    if (parts.length != 2 || !bundles.contains(parts[0].trim()) || !bundles.contains(parts[1].trim())
        || parts[0].trim().equals(parts[1].trim())) {
      throw new ConfigException(ESCALATE, value, "an escalating teacher is BASE>STRONG, two different teachers of "
          + "--bundles by name: " + bundles);
    }
    return new Escalate(parts[0].trim(), parts[1].trim(), below);
  }

  /** Whether {@code student} ({@code NAME:all} or {@code NAME:gated}) is to be trained. */
  public boolean trains(String teacher, String policy) {
    return students.contains(teacher + ":" + policy);
  }

  private static java.util.Set<String> students(List<String> entries, java.util.Set<String> teachers) {
    java.util.Set<String> students = new java.util.LinkedHashSet<>();
    if (entries.isEmpty()) {
      teachers.forEach(t -> {
        students.add(t + ":" + ALL);
        students.add(t + ":" + GATED);
      });
      return students;
    }
    for (String entry : entries) {
      int colon = entry.lastIndexOf(':');
      String teacher = colon < 0 ? "" : entry.substring(0, colon).trim();
      String policy = colon < 0 ? "" : entry.substring(colon + 1).trim();
      if (!teachers.contains(teacher) || !(ALL.equals(policy) || GATED.equals(policy))) {
        throw new ConfigException(STUDENTS, entry, "each student is NAME:all or NAME:gated with NAME one of the "
            + "teachers " + teachers);
      }
      students.add(teacher + ":" + policy);
    }
    String baseline = teachers.iterator().next() + ":" + ALL;
    if (!students.contains(baseline)) {
      throw new ConfigException(STUDENTS, String.join(",", entries), "the baseline's student on every turn ("
          + baseline + ") is what the others are measured against: list it too");
    }
    return students;
  }

  private static Map<String, String> settings(String key, Map<String, Object> v) {
    @SuppressWarnings("unchecked")
    List<String> entries = (List<String>) v.get(key);
    Map<String, String> settings = new LinkedHashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || !entry.startsWith("trainer.")) {
        throw new ConfigException(key, entry, "each setting is trainer.KEY=VALUE, e.g. trainer.replay.batches=8");
      }
      settings.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
    }
    return settings;
  }

  /** The gated students' policy in words, for the report. */
  public String gateDescription() {
    return BUDGET.equals(gate)
        ? String.format(java.util.Locale.ROOT, "`budget`, %s %% of each batch's turns, the most uncertain first, audit "
            + "share %s of the rest", percent(budgetShare), auditShare) + cascade()
        : String.format(java.util.Locale.ROOT, "`uncertainty`, top probability < %s, audit share %s", threshold,
            auditShare) + cascade();
  }

  /**
   * Refuses a cascade whose fallback teacher does not know every gated teacher's labels in the same
   * order (it could not stand in for it), given each teacher's labels as its bundle holds them; to be
   * called as soon as the bundles are open, before minutes of scoring.
   *
   * @throws ConfigException naming {@value #FALLBACK} and the gated teacher it differs from
   */
  public void checkFallbackLabels(Map<String, List<String>> labels) {
    if (fallback.isEmpty()) {
      return;
    }
    List<String> own = labels.get(fallback);
    labels.forEach((name, theirs) -> {
      if (trains(name, GATED) && !theirs.equals(own)) {
        throw new ConfigException(FALLBACK, fallback, "the fallback teacher has other labels than " + name
            + ", or in another order: it cannot stand in for it");
      }
    });
  }

  private String cascade() {
    return fallback.isEmpty() ? "" : "; the turns it skips scored by " + fallback + " (a cascade)";
  }

  private static String percent(double share) {
    return java.math.BigDecimal.valueOf(100 * share).stripTrailingZeros().toPlainString();
  }

  /** Every setting with its default and doc, for {@code --help}. */
  public static String help() {
    return LOADER.help();
  }
}
