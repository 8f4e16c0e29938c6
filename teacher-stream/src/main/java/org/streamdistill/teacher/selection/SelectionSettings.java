package org.streamdistill.teacher.selection;

import java.io.Serializable;
import java.util.List;

/**
 * The gate's settings, as the teacher job's configuration gives them ({@code teacher.selection.*},
 * defined and documented in {@code TeacherJobConfig}). Travels with the job graph; each subtask
 * opens its own policy.
 *
 * @param policy {@code all}, {@code uniform}, {@code uncertainty} or {@code budget}
 * @param uniformRate the uniform policy's rate, in (0, 1]
 * @param measure what the uncertainty and budget policies rank turns by
 * @param threshold the uncertainty policy's threshold on {@code measure}, in (0, 1]
 * @param budgetTurnsPerSecond the budget policy's rate for the whole job, split evenly over its subtasks
 *     ({@link JobRate})
 * @param budgetWindowMillis the budget policy's longest burst, in milliseconds of budget
 * @param budgetMaxLagMillis the budget policy's lag bound: turns that reach the gate later than this
 *     after they entered their topic get no budget; 0: no bound
 * @param auditShare of the turns a policy skips, the share that goes to the teacher anyway
 * @param seed seeds every random draw
 * @param championRefreshMillis how often the job looks for a newly promoted champion
 * @param followLatest whether the gate predicts with the newest checkpoint's export (the learning
 *     challenger) instead of the promoted champion
 */
public record SelectionSettings(String policy, double uniformRate, UncertaintyMeasure measure, double threshold,
                                double budgetTurnsPerSecond, long budgetWindowMillis, long budgetMaxLagMillis,
                                double auditShare, long seed, long championRefreshMillis,
                                boolean followLatest) implements Serializable {

  /** The gate's student: the promoted champion. */
  public static final String FOLLOW_CHAMPION = "champion";
  /** The gate's student: the newest checkpoint's export, the learning challenger. */
  public static final String FOLLOW_LATEST = "latest";

  public static final String ALL = "all";
  public static final String UNIFORM = "uniform";
  public static final String UNCERTAINTY = "uncertainty";
  public static final String BUDGET = "budget";
  public static final List<String> POLICIES = List.of(ALL, UNIFORM, UNCERTAINTY, BUDGET);

  public SelectionSettings {
    if (!POLICIES.contains(policy)) {
      throw new IllegalArgumentException("selection policy must be one of " + POLICIES + ", got '" + policy + "'");
    }
  }

  /** Every turn to the teacher: the pipeline without a gate. */
  public static SelectionSettings all() {
    return new SelectionSettings(ALL, 1.0, UncertaintyMeasure.TOP_PROBABILITY, 0.5, 100, 1_000, 0, 0.0, 0, 5_000,
        false);
  }

  /** Whether the gate passes every turn (no student needed, nothing skipped). */
  public boolean passesEverything() {
    return ALL.equals(policy);
  }

  /** Whether the policy consults the champion student (then the job follows the model topics). */
  public boolean needsStudent() {
    return UNCERTAINTY.equals(policy) || BUDGET.equals(policy);
  }

  /** A new policy for the only subtask of a job. */
  public SelectionPolicy open() {
    return open(1);
  }

  /**
   * A new policy for one of {@code subtasks} subtasks: a budget policy gets its share of the job's
   * budget.
   */
  public SelectionPolicy open(int subtasks) {
    TurnDraw draws = new TurnDraw(seed);
    return switch (policy) {
      case UNIFORM -> new UniformPolicy(uniformRate, auditShare, draws);
      case UNCERTAINTY -> new UncertaintyPolicy(measure, threshold, auditShare, draws);
      case BUDGET -> new BudgetPolicy(JobRate.perSubtask(budgetTurnsPerSecond, subtasks), budgetWindowMillis,
          budgetMaxLagMillis, measure, auditShare, draws);
      default -> new AllPolicy();
    };
  }

  /** One line for logs and summaries: the policy and its parameters. */
  public String describe() {
    return needsStudent() && followLatest ? policyDescription() + ", judged by the latest checkpoint"
        : policyDescription();
  }

  private String policyDescription() {
    return switch (policy) {
      case UNIFORM -> "uniform at rate " + uniformRate + ", audit " + auditShare;
      case UNCERTAINTY -> "uncertainty (" + measure.key() + " < " + threshold + "), audit " + auditShare;
      case BUDGET -> "budget of " + budgetTurnsPerSecond + " turns/s for the job (window " + budgetWindowMillis
          + " ms, by " + measure.key() + (budgetMaxLagMillis > 0 ? ", none to turns over " + budgetMaxLagMillis + " ms behind"
          : "") + "), audit " + auditShare;
      default -> "all";
    };
  }
}
