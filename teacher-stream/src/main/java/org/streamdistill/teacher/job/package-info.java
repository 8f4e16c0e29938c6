/**
 * The Flink job that turns dialogue turns into soft labels: a Kafka source of raw records,
 * a micro-batching scoring operator around a {@link org.streamdistill.teacher.job.TurnScorer},
 * and one exactly-once Kafka sink for soft labels and dead letters.
 */
package org.streamdistill.teacher.job;
