/**
 * Optimizers for the student: {@link org.streamdistill.student.optim.Parameter} is the
 * contract between a model and an optimizer (a named tensor with its gradient, either dense
 * or row-sparse for embeddings), and {@link org.streamdistill.student.optim.Adam} updates
 * dense tensors every step and embedding rows lazily, only when a batch touched them.
 */
package org.streamdistill.student.optim;
