/**
 * The teacher model the Flink job runs: {@link org.streamdistill.teacher.model.MiniLmEncoder}
 * turns chat turns into MiniLM-L6 sentence embeddings on ONNX Runtime, a
 * {@link org.streamdistill.teacher.model.SoftmaxHead} maps them to one logit per intent, and
 * {@link org.streamdistill.teacher.model.Teacher} combines the two with the versioned
 * {@link org.streamdistill.teacher.model.TeacherBundle} they were fitted into, producing
 * {@link org.streamdistill.teacher.model.TeacherScore}s whose {@code softmax(logits / T)} are
 * the soft labels the student distils from. An {@link org.streamdistill.teacher.model.EnsembleTeacher}
 * runs several such teachers (MiniLM fp32 or int8, e5-small, bge-small: see
 * {@link org.streamdistill.teacher.model.EncoderId}) and averages their calibrated log-probabilities
 * ({@link org.streamdistill.teacher.model.EnsembleLogits}), from an
 * {@link org.streamdistill.teacher.model.EnsembleBundle}; {@link org.streamdistill.teacher.model.BundledTeacher}
 * opens either kind of bundle. {@link org.streamdistill.teacher.model.OnnxClassifier}
 * is the other kind of teacher: any ONNX sequence classifier a user brings, with its Hugging Face
 * tokenizer and label list. {@link org.streamdistill.teacher.model.TopKLogits} compacts a soft
 * label to its largest logits for large label sets. Everything here is plain Java plus DJL and
 * ONNX Runtime: no Flink.
 */
package org.streamdistill.teacher.model;
