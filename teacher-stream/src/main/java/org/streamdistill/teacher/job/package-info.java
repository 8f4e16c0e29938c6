/**
 * The Flink job that turns dialogue turns into soft labels: a Kafka source of raw records,
 * a micro-batching scoring operator around a {@link org.streamdistill.teacher.job.TurnScorer},
 * and one exactly-once Kafka sink for soft labels and dead letters. {@link
 * org.streamdistill.teacher.job.TurnScorers} picks the teacher from the settings: the MiniLM
 * bundle ({@link org.streamdistill.teacher.job.BundleTurnScorer}) or a user's ONNX classifier
 * ({@link org.streamdistill.teacher.job.OnnxClassifierScorer}).
 */
package org.streamdistill.teacher.job;
