/**
 * Poison records of the evaluator's input. {@link
 * org.streamdistill.evaluator.deadletter.DeadLetterDeserializationHandler} is Kafka Streams'
 * deserialization exception handler (KIP-1034): a record whose bytes cannot be decoded goes,
 * raw and with the headers of {@code DeadLetters}, to its topic's dead-letter twin inside the
 * same transaction, is counted in a {@link org.streamdistill.evaluator.deadletter.DeadLetterCounter},
 * and processing goes on. Anything else (a schema registry that cannot be reached) is not
 * poison and stops the application loudly.
 */
package org.streamdistill.evaluator.deadletter;
