package org.streamdistill.schemas.flink;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.streamdistill.schemas.registry.RegistryClientSettings;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.wire.AvroWireCodec;

/**
 * Flink {@link SerializationSchema} of one topic's values in the Confluent wire format. Only
 * the registry settings, subject and class travel with the job graph; the codec and its registry
 * client are created in {@link #open}, once per subtask.
 */
public final class AvroWireSerializationSchema<T extends SpecificRecord> implements SerializationSchema<T> {

  private static final long serialVersionUID = 1L;

  private final RegistryClientSettings registry;
  private final String subject;
  private final Class<T> type;
  private transient AvroWireCodec<T> codec;

  public AvroWireSerializationSchema(String registryUrl, Topic<T> topic) {
    this(RegistryClientSettings.of(registryUrl), topic);
  }

  public AvroWireSerializationSchema(RegistryClientSettings registry, Topic<T> topic) {
    this.registry = registry;
    this.subject = topic.valueSubject();
    this.type = topic.valueType();
  }

  @Override
  public void open(InitializationContext context) {
    codec = new AvroWireCodec<>(new RestSchemaRegistryClient(registry), subject, type);
    codec.writerSchemaId();
  }

  @Override
  public byte[] serialize(T element) {
    if (codec == null) {
      open(null);
    }
    return codec.encode(element);
  }
}
