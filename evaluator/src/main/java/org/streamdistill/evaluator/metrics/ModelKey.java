package org.streamdistill.evaluator.metrics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What metrics are grouped by: a model version in one role. The same version can appear in
 * both roles (the trainer freezes the challenger it was told to promote as the new champion
 * while the challenger keeps its version until its next checkpoint), and the two must not be
 * mixed.
 *
 * @param modelVersion the model's version
 * @param role the role it played ({@code champion} or {@code challenger})
 */
public record ModelKey(String modelVersion, String role) {

  public ModelKey {
    Objects.requireNonNull(modelVersion, "modelVersion");
    Objects.requireNonNull(role, "role");
  }

  /** A serde writing both strings length-prefixed, UTF-8. */
  public static Serde<ModelKey> serde() {
    Serializer<ModelKey> serializer = (topic, key) -> {
      if (key == null) {
        return null;
      }
      byte[] version = key.modelVersion.getBytes(StandardCharsets.UTF_8);
      byte[] role = key.role.getBytes(StandardCharsets.UTF_8);
      return ByteBuffer.allocate(8 + version.length + role.length)
          .putInt(version.length).put(version)
          .putInt(role.length).put(role)
          .array();
    };
    Deserializer<ModelKey> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new ModelKey(readString(buffer), readString(buffer));
      } catch (RuntimeException e) {
        throw new SerializationException("cannot read a ModelKey from " + bytes.length + " bytes of " + topic, e);
      }
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private static String readString(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.getInt()];
    buffer.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
