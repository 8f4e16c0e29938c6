package org.streamdistill.deploy.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.streamdistill.evaluator.lag.GroupLag;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.SoftLabel;
import org.streamdistill.records.StudentPrediction;

/**
 * What a demo run did, computed from the topics themselves (read_committed), not from the
 * stages' own counters: how many turns each stage wrote, whether each turn got exactly one
 * soft label and one prediction, and how teacher and student did on the held-out turns.
 *
 * <p><b>Teacher calls.</b> With a selection gate before the teacher, the summary states the policy
 * and what it saved: teacher calls made (soft labels the teacher scored), turns skipped (every turn
 * produced that the teacher neither scored nor dead-lettered), the share of calls saved (skipped /
 * (made + skipped)), the skipped turns per reason as the teacher job counted them, and how many of
 * them went on gold-only (soft labels without a teacher verdict, learned from gold alone) or to the
 * fallback teacher (soft labels that say fallback_scored; not teacher calls). The
 * teacher's accuracy is over the held-out turns it scored, also weighted by 1 / selection
 * probability (an estimate over every held-out turn) when the gate sampled them.
 */
public final class DemoSummary {

  /** Accuracy of one model on held-out in-scope turns. */
  public record Accuracy(long correct, long total) {
    public double value() {
      return total == 0 ? Double.NaN : (double) correct / total;
    }
  }

  long turnsProduced;
  /** Of {@link #turnsProduced}, the training turns (the passes before the held-out split). */
  long trainingTurnsProduced;
  /** Teacher calls on training turns: what issue 14 bounds (at most 40 % of the training turns). */
  long trainingTeacherCalls;
  long softLabels;
  /** Soft labels the teacher scored (teacher_scored): the teacher calls made. */
  long teacherCalls;
  /** Gold-only soft labels (the gate skipped the turn, its gold label went on), by skip reason. */
  final Map<String, Long> goldOnlyByReason = new java.util.TreeMap<>();
  /** Soft labels the fallback teacher scored (fallback_scored: the gate skipped the turn), by skip reason. */
  final Map<String, Long> fallbackByReason = new java.util.TreeMap<>();
  /** The fallback teacher's version, null without fallback labels. */
  String fallbackVersion;
  /** Dead letters of the turns topic: turns the teacher job could not take (neither scored nor skipped). */
  long turnDeadLetters;
  /** The teacher job's selection policy, described with its settings. */
  String selectionPolicy = "all";
  /** Turns the gate skipped, by reason, as the teacher job counted them (gold or not). */
  final Map<String, Long> skippedByReason = new java.util.TreeMap<>();
  /** Teacher accuracy on held-out in-scope turns, weighted by 1 / selection probability. */
  double teacherInScopeWeighted = Double.NaN;
  long softLabelDuplicates;
  long studentPredictions;
  long predictionDuplicates;
  long deadLetters;
  int trainPasses;
  /** Of the training split, only the turns at or above this share by text hash were replayed; 0: every one. */
  double streamFrom;
  /** The trainer settings the demo was given that differ from the trainer's defaults. */
  Map<String, String> trainerSettings = Map.of();
  double goldFraction;
  String teacherVersion;
  String finalChallengerVersion;
  String finalChampionVersion;
  Accuracy teacherInScope = new Accuracy(0, 0);
  long oosHeldOut;
  long teacherOosRecalled;
  Accuracy challengerInScope = new Accuracy(0, 0);
  Accuracy championInScope = new Accuracy(0, 0);
  long studentLearned;
  final List<PromotionEvent> promotions = new ArrayList<>();
  LagSnapshot finalLag = LagSnapshot.EMPTY;
  double fitSeconds;
  /** How long the demo waited, once the stages were started, for every teacher subtask to open. */
  double teacherOpenSeconds;
  /** From the first turn replayed until every turn was predicted. */
  double pipelineSeconds;
  double wallSeconds;

  /**
   * Tallies soft labels: counts, duplicates, teacher calls, gold-only records by reason and teacher
   * accuracy on the held-out turns the teacher scored.
   */
  void addSoftLabels(List<SoftLabel> labels, String oosLabel) {
    Set<String> seen = new HashSet<>();
    long correct = 0;
    long total = 0;
    double correctWeight = 0;
    double totalWeight = 0;
    for (SoftLabel label : labels) {
      softLabels++;
      if (!seen.add(label.getTurnId())) {
        softLabelDuplicates++;
      }
      if (label.getFallbackScored()) {
        // Not a teacher call: the skipped turn went to the cheaper teacher, and says nothing about the teacher.
        fallbackByReason.merge(label.getSelectionReason(), 1L, Long::sum);
        fallbackVersion = label.getTeacherVersion();
        continue;
      }
      teacherVersion = label.getTeacherVersion();
      if (!label.getTeacherScored()) {
        goldOnlyByReason.merge(label.getSelectionReason(), 1L, Long::sum);
        continue;
      }
      teacherCalls++;
      if (!label.getHeldOut()) {
        trainingTeacherCalls++;
      }
      if (label.getHeldOut() && label.getGoldIndex() != null && !oosLabel.equals(label.getGoldLabel())) {
        double w = 1 / label.getSelectionProbability();
        totalWeight += w;
        if (label.getTeacherIndex() == label.getGoldIndex()) {
          correctWeight += w;
        }
      }
      if (label.getHeldOut() && label.getGoldIndex() != null) {
        if (oosLabel.equals(label.getGoldLabel())) {
          oosHeldOut++;
          if (label.getTeacherIndex() == label.getGoldIndex()) {
            teacherOosRecalled++;
          }
        } else {
          total++;
          if (label.getTeacherIndex() == label.getGoldIndex()) {
            correct++;
          }
        }
      }
    }
    teacherInScope = new Accuracy(correct, total);
    teacherInScopeWeighted = totalWeight == 0 ? Double.NaN : correctWeight / totalWeight;
  }

  /**
   * Takes the teacher job's selection policy and its skip counters (reason to turns skipped).
   *
   * @param policy the policy with its settings, as {@code SelectionSettings.describe()} says it
   */
  void addSelection(String policy, Map<String, Long> skipped) {
    selectionPolicy = policy;
    skippedByReason.clear();
    skipped.forEach((reason, count) -> {
      if (count > 0) {
        skippedByReason.put(reason, count);
      }
    });
  }

  /** Turns the teacher did not score: produced, minus scored, minus dead-lettered by the teacher job. */
  public long turnsSkipped() {
    return Math.max(0, turnsProduced - teacherCalls - turnDeadLetters);
  }

  /** Share of the teacher calls the gate saved: skipped / (made + skipped); 0 before any turn. */
  public double callsSavedShare() {
    long seen = teacherCalls + turnsSkipped();
    return seen == 0 ? 0.0 : (double) turnsSkipped() / seen;
  }

  public long teacherCalls() {
    return teacherCalls;
  }

  /**
   * The teacher's in-scope accuracy over all held-out turns: when the gate sampled them, the
   * estimate weighted by 1 / selection probability (the turns it scored are the hard ones, so
   * their plain accuracy is biased low and a student compared with it looks better than the
   * teacher), else the plain one.
   */
  double teacherAccuracyEstimate() {
    return weightedDiffers() ? teacherInScopeWeighted : teacherInScope.value();
  }

  /**
   * Whether the weighted teacher accuracy says more than the plain one: not when every held-out turn
   * weighed the same (policy all, or uniform), where the two differ only by rounding.
   */
  private boolean weightedDiffers() {
    return !Double.isNaN(teacherInScopeWeighted) && Math.abs(teacherInScopeWeighted - teacherInScope.value()) > 1e-9;
  }

  private long goldOnly() {
    return goldOnlyByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Skipped turns the fallback teacher scored. */
  long fallbackCalls() {
    return fallbackByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Tallies predictions. Held-out turns come after the training passes, so the student's
   * accuracy on them is that of the final model; the challenger's and the champion's are
   * kept apart.
   */
  void addPredictions(List<StudentPrediction> predictions, String oosLabel) {
    Set<String> seen = new HashSet<>();
    Map<String, long[]> byRole = new HashMap<>();
    for (StudentPrediction p : predictions) {
      studentPredictions++;
      if (!seen.add(p.getTurnId())) {
        predictionDuplicates++;
      }
      if (p.getLearned()) {
        studentLearned++;
      }
      for (ModelPrediction m : p.getPredictions()) {
        if (m.getRole().equals("challenger")) {
          finalChallengerVersion = m.getModelVersion();
        } else if (m.getRole().equals("champion")) {
          finalChampionVersion = m.getModelVersion();
        }
        if (p.getHeldOut() && p.getGoldIndex() != null && !oosLabel.equals(p.getGoldLabel())) {
          long[] tally = byRole.computeIfAbsent(m.getRole(), r -> new long[2]);
          tally[1]++;
          if (m.getPredictedIndex() == p.getGoldIndex()) {
            tally[0]++;
          }
        }
      }
    }
    long[] challenger = byRole.getOrDefault("challenger", new long[2]);
    long[] champion = byRole.getOrDefault("champion", new long[2]);
    challengerInScope = new Accuracy(challenger[0], challenger[1]);
    championInScope = new Accuracy(champion[0], champion[1]);
  }

  public double turnsPerSecond() {
    return pipelineSeconds > 0 ? turnsProduced / pipelineSeconds : 0;
  }

  public double teacherTestAccuracy() {
    return teacherInScope.value();
  }

  /** The learning student's accuracy on held-out in-scope turns. */
  public double studentTestAccuracy() {
    return challengerInScope.value();
  }

  public long softLabels() {
    return softLabels;
  }

  public long studentPredictions() {
    return studentPredictions;
  }

  public long turnsProduced() {
    return turnsProduced;
  }

  public List<PromotionEvent> promotions() {
    return promotions;
  }

  public ObjectNode toJson() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("turns_produced", turnsProduced);
    root.put("soft_labels", softLabels);
    root.put("soft_label_duplicates", softLabelDuplicates);
    root.put("student_predictions", studentPredictions);
    root.put("prediction_duplicates", predictionDuplicates);
    root.put("dead_letters", deadLetters);
    root.put("train_passes", trainPasses);
    root.put("stream_from", streamFrom);
    ObjectNode trainer = root.putObject("trainer_settings");
    trainerSettings.forEach(trainer::put);
    root.put("gold_fraction", goldFraction);
    root.put("turns_learned", studentLearned);
    root.put("teacher_version", teacherVersion);
    ObjectNode selection = root.putObject("selection");
    selection.put("policy", selectionPolicy);
    selection.put("teacher_calls", teacherCalls);
    selection.put("turns_skipped", turnsSkipped());
    selection.put("calls_saved_share", callsSavedShare());
    selection.put("training_teacher_calls", trainingTeacherCalls);
    selection.put("training_turns", trainingTurnsProduced);
    ObjectNode byReason = selection.putObject("skipped_by_reason");
    skippedByReason.forEach(byReason::put);
    selection.put("gold_only", goldOnly());
    ObjectNode goldByReason = selection.putObject("gold_only_by_reason");
    goldOnlyByReason.forEach(goldByReason::put);
    selection.put("fallback_teacher", fallbackVersion);
    selection.put("fallback_calls", fallbackCalls());
    ObjectNode fallbackReasons = selection.putObject("fallback_by_reason");
    fallbackByReason.forEach(fallbackReasons::put);
    root.put("teacher_test_accuracy", teacherInScope.value());
    root.put("teacher_test_turns", teacherInScope.total());
    if (!weightedDiffers()) {
      root.putNull("teacher_test_accuracy_weighted");
    } else {
      root.put("teacher_test_accuracy_weighted", teacherInScopeWeighted);
    }
    if (oosHeldOut == 0) {
      root.putNull("teacher_oos_recall"); // a data set without out-of-scope turns: no recall to report
    } else {
      root.put("teacher_oos_recall", (double) teacherOosRecalled / oosHeldOut);
    }
    root.put("student_test_accuracy", challengerInScope.value());
    root.put("student_test_turns", challengerInScope.total());
    root.put("student_version", finalChallengerVersion);
    root.put("champion_version", finalChampionVersion);
    root.put("champion_test_accuracy", championInScope.value());
    root.put("student_teacher_accuracy_ratio", challengerInScope.value() / teacherAccuracyEstimate());
    root.put("turns_per_second", turnsPerSecond());
    root.put("fit_seconds", fitSeconds);
    root.put("teacher_open_seconds", teacherOpenSeconds);
    root.put("pipeline_seconds", pipelineSeconds);
    root.put("wall_seconds", wallSeconds);
    ArrayNode list = root.putArray("promotions");
    for (PromotionEvent e : promotions) {
      ObjectNode node = list.addObject();
      node.put("decision", e.getDecision());
      node.put("from_version", e.getFromVersion());
      node.put("to_version", e.getToVersion());
      node.put("metric", e.getMetric());
      node.put("paired_turns", e.getPairedTurns());
      node.put("champion_score", e.getChampionScore());
      node.put("challenger_score", e.getChallengerScore());
      if (e.getPValue() != null) {
        node.put("p_value", e.getPValue());
      }
      node.put("reason", e.getReason());
    }
    ObjectNode lag = root.putObject("final_lag");
    for (GroupLag group : finalLag.groups()) {
      ObjectNode node = lag.putObject(group.group());
      node.put("status", group.status().name());
      node.put("lag_records", group.totalLag());
    }
    return root;
  }

  public void writeJson(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toJson());
  }

  /** The summary as a person reads it. */
  public String toText() {
    StringBuilder s = new StringBuilder();
    s.append("\n=== streamdistill demo summary ===\n");
    line(s, "turns produced", String.format(Locale.ROOT, "%,d (%d training passes%s + held-out test, gold on %.0f %% of training turns)",
        turnsProduced, trainPasses, streamFrom > 0 ? String.format(Locale.ROOT, " of the training turns at or above %s "
            + "of the split by text hash", streamFrom) : "", goldFraction * 100));
    line(s, "soft labels", String.format(Locale.ROOT, "%,d (duplicates: %d)", softLabels, softLabelDuplicates));
    line(s, "student predictions", String.format(Locale.ROOT, "%,d (duplicates: %d), learned from %,d",
        studentPredictions, predictionDuplicates, studentLearned));
    line(s, "dead letters", String.format(Locale.ROOT, "%,d", deadLetters));
    line(s, "trainer settings", trainerSettings.isEmpty() ? "the trainer's defaults"
        : trainerSettings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .collect(java.util.stream.Collectors.joining(", ")));
    line(s, "selection policy", selectionPolicy);
    line(s, "teacher calls", String.format(Locale.ROOT, "%,d made, %,d saved (%.1f %% of the %,d turns the gate saw)%s",
        teacherCalls, turnsSkipped(), 100 * callsSavedShare(), teacherCalls + turnsSkipped(),
        trainingTurnsProduced == 0 || turnsSkipped() == 0 ? ""
            : String.format(Locale.ROOT, "; %,d of the %,d training turns scored (%.1f %%)",
            trainingTeacherCalls, trainingTurnsProduced, 100.0 * trainingTeacherCalls / trainingTurnsProduced)));
    if (turnsSkipped() > 0 || !skippedByReason.isEmpty()) {
      line(s, "turns skipped", String.format(Locale.ROOT, "%s; %,d of them with a gold label went on to the student gold-only %s",
          skippedByReason.isEmpty() ? "no reasons counted" : "by reason " + skippedByReason, goldOnly(),
          goldOnlyByReason));
    }
    if (fallbackCalls() > 0) {
      line(s, "fallback teacher", String.format(Locale.ROOT, "%s scored %,d of the skipped turns %s (not teacher "
          + "calls; left out of the teacher's figures)", fallbackVersion, fallbackCalls(), fallbackByReason));
    }
    line(s, "teacher", String.format(Locale.ROOT, "%s: in-scope test accuracy %.4f (%,d turns%s), %s",
        teacherVersion, teacherInScope.value(), teacherInScope.total(),
        !weightedDiffers() ? ""
            : String.format(Locale.ROOT, " it scored; weighted by 1 / selection probability %.4f",
                teacherInScopeWeighted),
        oosHeldOut == 0 ? "no out-of-scope turns"
            : String.format(Locale.ROOT, "oos recall %.3f", (double) teacherOosRecalled / oosHeldOut)));
    line(s, "student (challenger)", String.format(Locale.ROOT, "%s: in-scope test accuracy %.4f (%.1f %% of the teacher's)",
        finalChallengerVersion, challengerInScope.value(), 100 * challengerInScope.value() / teacherAccuracyEstimate()));
    line(s, "student (champion)", finalChampionVersion == null ? "none promoted"
        : String.format(Locale.ROOT, "%s: in-scope test accuracy %.4f", finalChampionVersion, championInScope.value()));
    line(s, "promotions", promotions.isEmpty() ? "none" : "");
    for (PromotionEvent e : promotions) {
      s.append(String.format(Locale.ROOT, "      %-8s %s -> %s  (%s, %d paired turns, %.3f vs %.3f%s)%n",
          e.getDecision(), e.getFromVersion() == null ? "none" : e.getFromVersion(), e.getToVersion(), e.getMetric(),
          e.getPairedTurns(), e.getChallengerScore(), e.getChampionScore(),
          e.getPValue() == null ? "" : String.format(Locale.ROOT, ", p=%.2g", e.getPValue())));
    }
    line(s, "final consumer lag", finalLag.groups().isEmpty() ? "not sampled" : "");
    for (GroupLag group : finalLag.groups()) {
      s.append(String.format(Locale.ROOT, "      %-24s %-6s %,d records behind%n", group.group(), group.status(),
          group.totalLag()));
    }
    line(s, "throughput", String.format(Locale.ROOT, "%.0f turns/s end to end (%.1f s pipeline)", turnsPerSecond(),
        pipelineSeconds));
    line(s, "wall time", String.format(Locale.ROOT, "%.1f s (teacher fit %.1f s, teacher job opening %.1f s)",
        wallSeconds, fitSeconds, teacherOpenSeconds));
    return s.toString();
  }

  private static void line(StringBuilder s, String name, String value) {
    s.append(String.format(Locale.ROOT, "  %-22s %s%n", name, value));
  }
}
