package org.streamdistill.deploy.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.UndecodableRecordException;

class AvroWireCodecOverRegistryIT {

  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registry;
  private String subject;

  @BeforeAll
  static void startPlatform() {
    kafka = EmbeddedKafka.start();
    registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
  }

  @AfterAll
  static void stopPlatform() {
    registry.close();
    kafka.close();
  }

  @BeforeEach
  void freshSubject() {
    subject = Topics.TURNS.inNamespace("it" + UUID.randomUUID().toString().substring(0, 8)).valueSubject();
  }

  @Test
  void shouldRoundTripADialogueTurnThroughTheLiveRegistry() {
    // Given a writer codec and a reader codec with its own client, so the reader must fetch the schema by id
    AvroWireCodec<DialogueTurn> writer =
        new AvroWireCodec<>(new RestSchemaRegistryClient(registry.url()), subject, DialogueTurn.class);
    AvroWireCodec<DialogueTurn> reader =
        new AvroWireCodec<>(new RestSchemaRegistryClient(registry.url()), subject, DialogueTurn.class);
    DialogueTurn turn = DialogueTurn.newBuilder()
        .setTurnId("turn-1").setConversationId("conv-7").setTurnIndex(3).setSpeaker("user")
        .setText("what's my balance?").setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
        .setSource("clinc150:test").setGoldLabel("balance").setHeldOut(true)
        .build();

    // When it is encoded and decoded
    byte[] bytes = writer.encode(turn);
    DialogueTurn decoded = reader.decode(bytes);

    // Then the bytes carry the registry's id for the subject, and the value survives unchanged
    int registeredId =
        new RegistryHttp(registry.url()).get("/subjects/" + subject + "/versions/latest").body().get("id").asInt();
    assertThat(bytes[0]).isEqualTo(AvroWireCodec.MAGIC_BYTE);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registeredId).isEqualTo(writer.writerSchemaId());
    assertThat(decoded).isEqualTo(turn);
  }

  @Test
  void shouldThrowUndecodableRecordExceptionForAnUnknownSchemaId() {
    // Given valid bytes whose header names a schema id the registry never issued
    AvroWireCodec<DialogueTurn> codec =
        new AvroWireCodec<>(new RestSchemaRegistryClient(registry.url()), subject, DialogueTurn.class);
    byte[] bytes = codec.encode(DialogueTurn.newBuilder()
        .setTurnId("t").setConversationId("c").setTurnIndex(0).setSpeaker("user").setText("hi")
        .setEventTime(Instant.EPOCH).setSource("test").build());
    byte[] unknownId = Arrays.copyOf(bytes, bytes.length);
    ByteBuffer.wrap(unknownId, 1, 4).putInt(424_242);

    // When they are decoded
    // Then the record is poison (for the dead-letter topic), not a registry failure
    assertThatThrownBy(() -> codec.decode(unknownId))
        .isExactlyInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("unknown schema id 424242");
  }
}
