/**
 * The online training loop: consumes soft labels, predicts each turn with challenger and
 * champion before learning from it, publishes predictions and checkpoints, and follows
 * promotion events.
 */
package org.streamdistill.student.training;
