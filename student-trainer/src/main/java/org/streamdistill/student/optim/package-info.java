/**
 * Optimizers for the student: {@link org.streamdistill.student.optim.Parameter} is the
 * contract between a model and an optimizer (a named tensor with its gradient, either dense
 * or row-sparse for embeddings), and {@link org.streamdistill.student.optim.Adam} updates
 * dense tensors every step and embedding rows lazily, only when a batch touched them, at a
 * learning rate a {@link org.streamdistill.student.optim.LearningRateSchedule} may scale by step
 * ({@link org.streamdistill.student.optim.InverseSqrtDecay} by default in the trainer).
 */
package org.streamdistill.student.optim;
