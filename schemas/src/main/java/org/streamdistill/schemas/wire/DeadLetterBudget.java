package org.streamdistill.schemas.wire;

/**
 * Stops a stage that would drain its input into the dead-letter topic. A poison record now and
 * then is a dead letter and the stage goes on; but when more than {@code maxFraction} of the
 * last {@code window} records were dead letters (once at least {@code minRecords} were seen),
 * the input is wrong as a whole (a producer with the wrong schema, a teacher with another label
 * set, a misconfigured top-k) and dead-lettering all of it would only hide that. The stage then
 * stops with {@link DeadLetterRateExceededException}, whose message says what to fix; the dead
 * letters of its open transaction are aborted with it, so the dead-letter topic does not fill.
 *
 * <p>{@code maxFraction = 1} turns the check off. Not thread-safe: one per consuming thread.
 */
public final class DeadLetterBudget {

  private final double maxFraction;
  private final int minRecords;
  private final boolean[] dead;
  private int next;
  private int seen;
  private int deadInWindow;

  public DeadLetterBudget(double maxFraction, int window, int minRecords) {
    if (!(maxFraction > 0 && maxFraction <= 1)) {
      throw new IllegalArgumentException("dead-letter max fraction must be in (0, 1], got " + maxFraction);
    }
    if (window < 1 || minRecords < 1 || minRecords > window) {
      throw new IllegalArgumentException("need 1 <= min records <= window, got " + minRecords + " and " + window);
    }
    this.maxFraction = maxFraction;
    this.minRecords = minRecords;
    this.dead = new boolean[window];
  }

  /** The default: stop when more than half of the last 1,000 records (at least 100 seen) were dead letters. */
  public static DeadLetterBudget of(double maxFraction) {
    return new DeadLetterBudget(maxFraction, 1_000, 100);
  }

  /** A record that went through. */
  public void recordGood() {
    add(false);
  }

  /**
   * A record that became a dead letter.
   *
   * @param topic the input topic, for the message
   * @param reason why this one was refused, for the message
   * @throws DeadLetterRateExceededException when the budget is spent
   */
  public void recordDead(String topic, String reason) {
    add(true);
    if (maxFraction < 1 && seen >= minRecords && deadInWindow > maxFraction * seen) {
      throw new DeadLetterRateExceededException(String.format(
          "%d of the last %d records of %s were dead letters, more than the limit of %.0f %%: the input looks wrong "
              + "as a whole, so this stage stops instead of draining it into %s%s. Last reason: %s. Fix the "
              + "writer or the settings it names, or raise the stage's dead-letter.max-fraction (1 turns the check off)",
          deadInWindow, seen, topic, maxFraction * 100, topic, org.streamdistill.schemas.topic.Topic.DEAD_LETTER_SUFFIX,
          reason));
    }
  }

  private void add(boolean isDead) {
    if (seen == dead.length) {
      if (dead[next]) {
        deadInWindow--;
      }
    } else {
      seen++;
    }
    dead[next] = isDead;
    if (isDead) {
      deadInWindow++;
    }
    next = (next + 1) % dead.length;
  }

  /** The input is dead letters nearly as a whole: the stage must stop. */
  public static final class DeadLetterRateExceededException extends IllegalStateException {
    public DeadLetterRateExceededException(String message) {
      super(message);
    }
  }
}
