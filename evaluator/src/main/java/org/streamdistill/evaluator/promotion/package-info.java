/**
 * Champion/challenger promotion and rollback. {@link
 * org.streamdistill.evaluator.promotion.PromotionPolicy} holds the whole decision rule as a
 * pure function from ({@link org.streamdistill.evaluator.promotion.PromotionState}, {@link
 * org.streamdistill.evaluator.promotion.PairedTurn}) to a new state and the {@link
 * org.streamdistill.evaluator.promotion.Decision}s it took, so it is tested without Kafka;
 * {@link org.streamdistill.evaluator.promotion.PromotionProcessor} only loads and stores the
 * state in a Kafka Streams key-value store keyed by model name and forwards decisions as {@code
 * PromotionEvent}s with their evidence. The statistics are an exact one-sided McNemar (sign)
 * test on the discordant pairs, with the significance level spent across repeated looks, both
 * for promoting the challenger over the champion and, after a promotion, for rolling the new
 * champion back to the one it replaced (which the trainer keeps predicting as role {@code
 * previous}): an equal model is promoted, or rolled back, with probability at most alpha per
 * comparison.
 */
package org.streamdistill.evaluator.promotion;
