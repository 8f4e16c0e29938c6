package org.streamdistill.teacher.job;

/**
 * How the teacher job spreads its scoring over a machine: parallel subtasks, each with its own
 * ONNX Runtime session, times intra-op threads per session.
 *
 * <p>Why the default is many subtasks of one thread: MiniLM on small batches keeps one ONNX
 * thread busier than it keeps two, so on 2 cores 2 subtasks x 1 thread scored 253 turns/s where
 * 1 x 2 scored 198 ({@code bench}, BENCHMARKS.md). So, for what the user left unset (0):
 * parallelism is one subtask per available processor, at most the partitions of the turns topic
 * (a subtask beyond them has nothing to read) and at least 1; intra-op threads are the processors
 * left per subtask, at least 1 (1 each when the parallelism came out of the same rule on a
 * machine with no more processors than partitions). A value the user set is kept as it is.
 *
 * <p>The processors are those of the JVM that builds the job graph. For a local run (the {@code
 * teacher-job} command outside a cluster, the demo, {@code bench}) that is the machine that scores.
 * Under {@code flink run} it is the client's, not the task managers', so a cluster sets both keys
 * ({@code deploy/cluster/teacher.properties} and the Kubernetes manifests do). Memory grows with
 * the parallelism: each subtask loads its own model session.
 *
 * @param parallelism scoring subtasks, at least 1
 * @param intraOpThreads ONNX Runtime intra-op threads per subtask, at least 1
 */
public record ScoringShape(int parallelism, int intraOpThreads) {

  public ScoringShape {
    if (parallelism < 1 || intraOpThreads < 1) {
      throw new IllegalArgumentException("parallelism and intra-op threads must be >= 1, got " + parallelism + " and "
          + intraOpThreads);
    }
  }

  /**
   * The shape for the requested values, 0 meaning "choose".
   *
   * @param parallelism requested subtasks, 0 to choose
   * @param intraOpThreads requested threads per subtask, 0 to choose
   * @param processors available processors of this machine
   * @param partitions partitions of the turns topic: the most subtasks that all have work
   */
  public static ScoringShape resolve(int parallelism, int intraOpThreads, int processors, int partitions) {
    int p = parallelism > 0 ? parallelism : Math.max(1, Math.min(processors, partitions));
    int t = intraOpThreads > 0 ? intraOpThreads : Math.max(1, processors / p);
    return new ScoringShape(p, t);
  }
}
