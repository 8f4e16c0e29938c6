/**
 * Consumer lag as operators need it. {@link org.streamdistill.evaluator.lag.ConsumerLagMonitor}
 * samples, for every group of the pipeline (the teacher job's Flink source, the student
 * trainer, the evaluator's Streams app), each partition's committed offset, last stable offset,
 * offset lag and time lag (age of the oldest record not consumed yet) into sliding windows;
 * {@link org.streamdistill.evaluator.lag.LagEvaluator} turns a window into a status after
 * Burrow's rules (OK, WARN, STALL, STOP, REWIND), measuring against the last stable offset and
 * reading a gap of only transaction markers as caught up, so exactly-once consumers do not show
 * a permanent lag of 1. The snapshots are served as Prometheus metrics and JSON ({@link
 * org.streamdistill.evaluator.lag.LagHttpServer}) and printed as a table by {@link
 * org.streamdistill.evaluator.lag.LagCommand}.
 */
package org.streamdistill.evaluator.lag;
