/**
 * Typed configuration shared by every app: each app declares its keys in a Kafka {@code
 * ConfigDef} (type, default, validator, documentation) and loads them from file,
 * environment and flags through {@link org.streamdistill.schemas.config.ConfigLoader}; the
 * {@code kafka.*} settings every Kafka client of a command receives (security, tuning) are
 * {@link org.streamdistill.schemas.config.KafkaClientSettings}.
 */
package org.streamdistill.schemas.config;
