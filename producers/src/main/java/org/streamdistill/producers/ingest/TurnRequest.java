package org.streamdistill.producers.ingest;

import java.time.Instant;

/**
 * One validated turn as a client posted it, before it has an index or an id.
 *
 * @param conversationId the conversation, from the request path
 * @param speaker {@code user} or {@code agent}
 * @param text the message, at most the configured number of UTF-8 bytes
 * @param timestamp when the turn happened, or {@code null} to use the time it was received
 * @param goldLabel a human label, or {@code null}
 */
public record TurnRequest(String conversationId, String speaker, String text, Instant timestamp, String goldLabel) {}
