package org.streamdistill.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A registry held in memory, with the same id and compatibility semantics as the REST
 * registry (ids global and stable per schema, BACKWARD compatibility per subject). For
 * topology tests that run without a network, such as Kafka's {@code TopologyTestDriver}.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

  private final Map<String, Integer> idsBySchema = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();

  @Override
  public synchronized int register(String subject, Schema schema) {
    List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    Integer existing = idsBySchema.get(schema.toString());
    if (existing != null && versions.contains(existing)) {
      return existing;
    }
    if (!versions.isEmpty()) {
      Schema latest = schemasById.get(versions.get(versions.size() - 1));
      var result = SchemaCompatibility.checkReaderWriterCompatibility(schema, latest).getResult();
      if (result.getCompatibility() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
        throw new SchemaRegistryException(409, 409, "schema for subject " + subject
            + " is not backward compatible with its latest version: " + result.getIncompatibilities());
      }
    }
    int id = existing != null ? existing : schemasById.size() + 1;
    idsBySchema.put(schema.toString(), id);
    schemasById.put(id, schema);
    versions.add(id);
    return id;
  }

  @Override
  public synchronized Schema schemaById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw new SchemaRegistryException(404, 40403, "schema id " + id + " not found");
    }
    return schema;
  }
}
