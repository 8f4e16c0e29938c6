/**
 * The student model: a TextCNN (Kim, 2014) over the teacher's WordPiece token ids, in plain
 * Java float arrays. {@link org.streamdistill.student.model.TextCnn} consumes token ids and
 * produces class logits; its training step consumes the teacher's soft labels, back-propagates
 * a {@link org.streamdistill.student.loss.DistillationLoss} and hands the gradients to an
 * {@link org.streamdistill.student.optim.Optimizer}. A new model's token embeddings can start from
 * the teacher's own ({@link org.streamdistill.student.model.TeacherEmbeddings}, projected to the
 * student's width by {@link org.streamdistill.student.model.PrincipalComponents}).
 */
package org.streamdistill.student.model;
