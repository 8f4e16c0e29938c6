package org.streamdistill.schemas.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API the codec needs: register a schema under a
 * subject (idempotent: the same schema gets the same id) and fetch a schema by its id.
 */
public interface SchemaRegistryClient {

  /**
   * Registers {@code schema} under {@code subject}, or finds it if already registered.
   *
   * @return the global schema id
   * @throws SchemaRegistryException with status 409 when the subject's compatibility rule refuses it
   */
  int register(String subject, Schema schema);

  /**
   * The schema registered with {@code id}.
   *
   * @throws SchemaRegistryException with {@link SchemaRegistryException#isNotFound()} when no such id exists
   */
  Schema schemaById(int id);
}
