/**
 * Typed configuration shared by every app: each app declares its keys in a Kafka {@code
 * ConfigDef} (type, default, validator, documentation) and loads them from file,
 * environment and flags through {@link org.streamdistill.schemas.config.ConfigLoader}.
 */
package org.streamdistill.schemas.config;
