/**
 * The {@code bench} command: measures, in one run on one machine, the pipeline against its
 * limits and writes the figures side by side as ratios, because absolute times on a shared
 * machine drift: raw ONNX Runtime throughput of the teacher against the Flink job's through
 * Kafka, the student's training rate against the teacher's scoring rate, the exported student's
 * per-turn latency against the teacher's, end-to-end latency at a fixed offered load for several
 * checkpoint intervals, scaling with teacher parallelism against the broker's own rate, and
 * accuracy per cost beside published reference points. {@link
 * org.streamdistill.deploy.bench.BenchReport} holds one run's figures; {@link
 * org.streamdistill.deploy.bench.BenchMarkdown} appends them as a dated section to {@code
 * BENCHMARKS.md} and {@link org.streamdistill.deploy.bench.BenchJson} writes them as JSON. {@code
 * bench --cluster} measures only the scale-out of the teacher job on the local Flink cluster
 * ({@link org.streamdistill.deploy.bench.ClusterScaleOut}), against raw teachers of the same run.
 */
package org.streamdistill.deploy.bench;
