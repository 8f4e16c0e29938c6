package org.streamdistill.schemas.kafka;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.wire.AvroWireCodec;

/**
 * A Kafka {@link Serde} of one topic's values over the shared {@link AvroWireCodec}.
 * Deserialization of poison bytes throws {@link
 * org.streamdistill.schemas.wire.UndecodableRecordException}; Kafka Streams routes it
 * through its deserialization exception handler.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final AvroWireCodec<T> codec;

  public AvroSerde(AvroWireCodec<T> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /** The serde of {@code topic}'s values, registering under {@code <topic>-value}. */
  public static <T extends SpecificRecord> AvroSerde<T> forTopic(Topic<T> topic, SchemaRegistryClient registry) {
    return new AvroSerde<>(new AvroWireCodec<>(registry, topic.valueSubject(), topic.valueType()));
  }

  public AvroWireCodec<T> codec() {
    return codec;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : codec.encode(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : codec.decode(bytes);
  }
}
