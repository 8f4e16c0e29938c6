/**
 * The evaluator stage: a Kafka Streams application that reads every prequential {@code
 * StudentPrediction} from {@code student.predictions}, turns it into rolling per-model metrics
 * on event-time windows ({@code evaluator.metrics}) and into champion/challenger promotion
 * decisions ({@code model.promotions}). {@link org.streamdistill.evaluator.EvaluatorTopology}
 * builds the topology from an {@link org.streamdistill.evaluator.EvaluatorConfig} and a schema
 * registry client; the {@code app} package runs it against a broker.
 */
package org.streamdistill.evaluator;
