/**
 * Running the evaluator against a broker. {@link org.streamdistill.evaluator.app.EvaluatorApp}
 * owns the {@code KafkaStreams} instance (exactly-once v2, read-committed consumers, poison
 * records to dead-letter topics) and is what an embedding program such as the demo constructs
 * from a map of settings; {@link org.streamdistill.evaluator.app.EvaluatorMain} is the thin
 * command-line entry point that reads {@code --config FILE} and {@code --key value} flags like every other command.
 */
package org.streamdistill.evaluator.app;
