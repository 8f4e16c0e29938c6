/** Kafka client and Kafka Streams adapters of the wire codec. */
package org.streamdistill.schemas.kafka;
