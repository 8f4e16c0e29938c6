/**
 * Writing turns to Kafka: the idempotent publisher, the pacers that decide when each turn
 * is due (a fixed rate, or the original pace scaled by a factor) and the periodic progress
 * line of long replays.
 */
package org.streamdistill.producers.publish;
