package org.streamdistill.teacher.selection;

import java.util.List;

/**
 * The words a soft label's {@code selection_reason} and the skip counters use. Selected: {@link
 * #ALL}, {@link #UNIFORM}, {@link #UNCERTAIN}, {@link #BUDGET}, {@link #AUDIT}. Skipped: {@link
 * #NOT_DRAWN}, {@link #CONFIDENT}, {@link #OVER_BUDGET}, {@link #BEHIND}.
 */
public final class SelectionReason {

  /** Policy {@code all}, or no champion student yet to choose with. */
  public static final String ALL = "all";
  /** Drawn at the uniform policy's rate. */
  public static final String UNIFORM = "uniform";
  /** The champion's top probability (or margin) was under the threshold. */
  public static final String UNCERTAIN = "uncertain";
  /** Among the most uncertain turns of its window that the budget could pay for. */
  public static final String BUDGET = "budget";
  /** Drawn at random at the audit share, whatever the student thought. */
  public static final String AUDIT = "audit";

  /** Skipped: not drawn by the uniform policy (nor by the audit). */
  public static final String NOT_DRAWN = "not-drawn";
  /** Skipped: the champion was sure enough (and the audit did not draw it). */
  public static final String CONFIDENT = "confident";
  /** Skipped: the window's budget was spent on more uncertain turns (and the audit did not draw it). */
  public static final String OVER_BUDGET = "over-budget";
  /**
   * Skipped: the turn reached the gate later than the budget's lag bound after it entered its
   * topic, so the job sheds teacher work until it has caught up (and the audit did not draw it).
   */
  public static final String BEHIND = "behind";

  public static final List<String> SELECTED = List.of(ALL, UNIFORM, UNCERTAIN, BUDGET, AUDIT);
  public static final List<String> SKIPPED = List.of(NOT_DRAWN, CONFIDENT, OVER_BUDGET, BEHIND);

  private SelectionReason() {}
}
