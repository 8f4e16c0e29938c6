/**
 * The gate before the teacher: which turns the teacher scores. A {@link
 * org.streamdistill.teacher.selection.SelectionPolicy} looks at the champion student's class
 * probabilities for a window of turns and decides, for each, whether it goes to the teacher, why
 * ({@link org.streamdistill.teacher.selection.SelectionReason}) and with which probability a turn
 * like it would have gone (for inverse-probability weighting downstream). Every random choice is a
 * seeded function of the turn id ({@link org.streamdistill.teacher.selection.TurnDraw}), so a
 * replay after a restart decides as the first run did. The champion reaches the job as a file,
 * never as code of the trainer: {@link org.streamdistill.teacher.selection.OnnxChampion} reads an
 * exported student, {@link org.streamdistill.teacher.selection.KafkaChampionFollower} learns which
 * one from {@code student.checkpoints} and {@code model.promotions}.
 */
package org.streamdistill.teacher.selection;
