/**
 * Kafka client and Kafka Streams adapters of the wire codec, and the check that a stage's Kafka
 * settings let it in (authentication, TLS, ACLs) before a runtime that retries for ever starts it.
 */
package org.streamdistill.schemas.kafka;
