package org.streamdistill.producers.dataset;

import java.time.Instant;

/**
 * One utterance of a data file.
 *
 * @param line the line it starts on (1-based, header included), for messages
 * @param text the utterance
 * @param label gold label or {@code null}
 * @param conversationId conversation id from the file or {@code null}
 * @param timestamp original time or {@code null}
 * @param speaker {@code user} or {@code agent}
 */
public record DatasetRow(long line, String text, String label, String conversationId, Instant timestamp,
                         String speaker) {}
