/**
 * Serving the champion: {@link org.streamdistill.student.serving.StudentServer} classifies
 * texts or token ids over HTTP with the ONNX export of whichever version the evaluator last
 * promoted. A {@link org.streamdistill.student.serving.ChampionFeed} (in production {@link
 * org.streamdistill.student.serving.KafkaChampionFeed}, which follows {@code model.promotions}
 * and {@code student.checkpoints}) names the version and its file; the server loads it in ONNX
 * Runtime beside the old one and swaps them atomically, closing the old session only after the
 * requests running on it have finished, so a promotion drops no request.
 */
package org.streamdistill.student.serving;
