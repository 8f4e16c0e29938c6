/**
 * An embedded schema registry that serves the Confluent Schema Registry REST API over the
 * JDK's HTTP server and, like Confluent's, keeps all of its state in a compacted Kafka topic
 * ({@code _schemas}) that it replays on start-up: {@link
 * org.streamdistill.deploy.registry.EmbeddedSchemaRegistry} is the entry point; routing
 * ({@code RegistryHttpHandler}), operations ({@code SchemaRegistryService}), the Kafka-backed
 * log ({@code SchemaLog}, {@code SchemaLogRecords}), the replayed state ({@code RegistryState})
 * and Avro compatibility ({@code CompatibilityChecker}) are small package-private classes.
 */
package org.streamdistill.deploy.registry;
