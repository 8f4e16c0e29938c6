/**
 * The live web console: one page over a running pipeline, fed only by its topics ({@code
 * evaluator.metrics}, {@code model.promotions}, {@code student.checkpoints}, the soft labels and
 * predictions for latencies, every dead-letter topic) and the {@link
 * org.streamdistill.evaluator.lag.ConsumerLagMonitor}, so it works against any cluster, not only
 * the embedded demo. {@link PipelineWatcher} reads and summarises them into a {@link ConsoleState},
 * {@link ConsoleServer} serves the page, its script, the uPlot webjar and the state as JSON, and
 * {@link ConsoleCommand} is {@code bin/streamdistill console}.
 */
package org.streamdistill.evaluator.console;
