/**
 * The online training loop: consumes soft labels, predicts each turn with challenger and
 * champion before learning from it, publishes predictions and checkpoints, and follows
 * promotion events. {@code StudentTrainer} wires Kafka clients it is handed to pure parts: the
 * prequential batches and cuts ({@code PrequentialBatcher}), per-partition offsets ({@code
 * PartitionProgress}), the learning model ({@code ChallengerModel}), the champion and its standby
 * ({@code ChampionLine}), the prediction records ({@code PredictionWriter}). Predictions and
 * consumed offsets commit in one Kafka transaction whose offset metadata names the checkpoint to
 * resume from ({@code CommittedProgress}); on restart, and after a rebalance, {@code RestorePlan}
 * chooses that checkpoint over any newer, uncommitted file, so neither a crash nor a rebalance
 * duplicates a prediction or changes the weights the trainer ends with.
 */
package org.streamdistill.student.training;
