package org.streamdistill.deploy.demo;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;
import org.streamdistill.teacher.job.TeacherMetrics;

/**
 * Whether a teacher job submitted in this JVM has opened, read from the scoring operators' counts
 * ({@link TeacherMetrics}, shared by every teacher job here, hence the baselines taken before the
 * job was submitted): open once the open subtasks have risen by the job's {@code subtasks}; given
 * up on once its subtasks have failed to open {@link #MAX_ATTEMPTS} times over, which a slow start
 * never does (Flink restarts a job whose open failed, with backoff, for as long as the caller
 * would wait). The count is of subtasks, which open side by side, so one failed attempt of the
 * job counts up to {@code subtasks} failures.
 */
final class TeacherOpening {

  /** Failed attempts of the whole job (in subtask failures, {@code subtasks} each) after which a teacher
   *  is taken as one that cannot open. */
  static final int MAX_ATTEMPTS = 3;

  private final LongSupplier open;
  private final LongSupplier failures;
  private final long openBefore;
  private final long failuresBefore;
  private final int subtasks;

  TeacherOpening(LongSupplier open, LongSupplier failures, int subtasks) {
    this.open = open;
    this.failures = failures;
    this.openBefore = open.getAsLong();
    this.failuresBefore = failures.getAsLong();
    this.subtasks = subtasks;
  }

  /** Baselines of this JVM's counts now, before the job is submitted. */
  static TeacherOpening before(int subtasks) {
    TeacherMetrics metrics = TeacherMetrics.in(PrometheusRegistry.defaultRegistry);
    return new TeacherOpening(metrics::scorersOpen, metrics::openFailures, subtasks);
  }

  int subtasks() {
    return subtasks;
  }

  boolean done() {
    return open.getAsLong() - openBefore >= subtasks;
  }

  /** Failed opens since the job was submitted. */
  long failures() {
    return failures.getAsLong() - failuresBefore;
  }

  boolean cannotOpen() {
    return !done() && failures() >= (long) MAX_ATTEMPTS * subtasks;
  }
}
