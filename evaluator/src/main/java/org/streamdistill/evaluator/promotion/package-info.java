/**
 * Champion/challenger promotion. {@link org.streamdistill.evaluator.promotion.PromotionPolicy}
 * holds the whole decision rule as a pure function from ({@link
 * org.streamdistill.evaluator.promotion.PromotionState}, {@link
 * org.streamdistill.evaluator.promotion.PairedTurn}) to a new state and perhaps a {@link
 * org.streamdistill.evaluator.promotion.Decision}, so it is tested without Kafka; {@link
 * org.streamdistill.evaluator.promotion.PromotionProcessor} only loads and stores the state in a
 * Kafka Streams key-value store keyed by model name and forwards decisions as {@code
 * PromotionEvent}s. The statistics are an exact one-sided McNemar (sign) test on the discordant
 * pairs, with the significance level spent across repeated looks so that a challenger no better
 * than the champion is promoted with probability at most alpha per comparison.
 */
package org.streamdistill.evaluator.promotion;
