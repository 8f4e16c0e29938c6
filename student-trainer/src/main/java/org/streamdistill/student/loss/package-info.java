/**
 * Training objectives of the student. {@link org.streamdistill.student.loss.DistillationLoss}
 * consumes the student's logits and the teacher's soft label (logits, temperature, optional
 * gold label) and produces the loss with its gradient with respect to the student's logits;
 * the model back-propagates that gradient.
 */
package org.streamdistill.student.loss;
