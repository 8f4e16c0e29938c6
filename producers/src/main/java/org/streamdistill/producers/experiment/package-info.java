/**
 * Topic replay for experiments: copies a range of {@code dialogue.turns} (by offsets, or by
 * timestamps resolved with {@code offsetsForTimes}) into a named namespace, so the teacher,
 * trainer and evaluator can run there with other settings beside production. Reads with
 * {@code assign()} and no consumer group, so production offsets never move; merges the
 * partitions in (timestamp, partition, offset) order, so the same range and seed always
 * give the same records in the same order.
 */
package org.streamdistill.producers.experiment;
