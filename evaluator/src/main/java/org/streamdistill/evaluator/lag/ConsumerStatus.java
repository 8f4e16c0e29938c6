package org.streamdistill.evaluator.lag;

/**
 * How a consumer group (or one of its partitions) keeps up, after LinkedIn Burrow's statuses.
 * The declaration order is the severity order, least severe first: a group's status is the
 * most severe status of its partitions (see {@link LagEvaluator}).
 *
 * <p>STOP ranks above STALL because nobody is committing at all; STALL above REWIND because a
 * rewind is often deliberate (an operator resetting offsets to reprocess), a stall never is.
 */
public enum ConsumerStatus {
  /** Caught up at some point of the window, or keeping pace. */
  OK("keeping up"),
  /** Committed offsets advance but the lag grows: the consumer is falling behind. */
  WARN("lag grows while committed offsets advance"),
  /** A committed offset went backwards within the window. */
  REWIND("a committed offset went backwards"),
  /** Committed offsets did not move across the whole window while records wait. */
  STALL("committed offsets did not move across the window while lag > 0"),
  /** Committed offsets have not moved for longer than the stop threshold while records wait. */
  STOP("no commit for longer than the stop threshold while lag > 0");

  private final String meaning;

  ConsumerStatus(String meaning) {
    this.meaning = meaning;
  }

  /** One line an operator can read: what the status says about the consumer. */
  public String meaning() {
    return meaning;
  }

  /** The more severe of two statuses. */
  public ConsumerStatus worst(ConsumerStatus other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
