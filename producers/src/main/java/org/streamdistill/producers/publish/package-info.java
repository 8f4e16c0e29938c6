/** Writing turns to Kafka: the idempotent publisher and the rate limiter that paces it. */
package org.streamdistill.producers.publish;
