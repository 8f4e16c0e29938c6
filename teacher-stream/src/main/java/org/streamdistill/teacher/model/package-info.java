/**
 * The teacher model the Flink job runs: {@link org.streamdistill.teacher.model.MiniLmEncoder}
 * turns chat turns into MiniLM-L6 sentence embeddings on ONNX Runtime, a
 * {@link org.streamdistill.teacher.model.SoftmaxHead} maps them to one logit per intent, and
 * {@link org.streamdistill.teacher.model.Teacher} combines the two with the versioned
 * {@link org.streamdistill.teacher.model.TeacherBundle} they were fitted into, producing
 * {@link org.streamdistill.teacher.model.TeacherScore}s whose {@code softmax(logits / T)} are
 * the soft labels the student distils from. Everything here is plain Java plus DJL: no Flink.
 */
package org.streamdistill.teacher.model;
