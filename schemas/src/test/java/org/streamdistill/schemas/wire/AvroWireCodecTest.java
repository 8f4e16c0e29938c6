package org.streamdistill.schemas.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.registry.InMemorySchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;

class AvroWireCodecTest {

  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private final AvroWireCodec<DialogueTurn> codec =
      new AvroWireCodec<>(registry, Topics.TURNS.valueSubject(), DialogueTurn.class);

  static DialogueTurn turn(String text) {
    return DialogueTurn.newBuilder()
        .setTurnId("t-1").setConversationId("c-1").setTurnIndex(0).setSpeaker("user")
        .setText(text).setEventTime(java.time.Instant.ofEpochMilli(1_700_000_000_123L))
        .setSource("test").setGoldLabel("balance").setHeldOut(true).build();
  }

  @Test
  void shouldWriteConfluentHeaderThenDecodeToAnEqualRecord() {
    DialogueTurn original = turn("what's my balance? ünïcødé ✓");

    byte[] bytes = codec.encode(original);

    assertThat(bytes[0]).isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(codec.writerSchemaId()).isEqualTo(1);
    assertThat(codec.decode(bytes)).isEqualTo(original);
  }

  @Test
  void shouldRefuseWrongMagicByte() {
    byte[] bytes = codec.encode(turn("hi"));
    bytes[0] = 7;

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("magic byte 0x07");
  }

  @Test
  void shouldRefuseUnknownSchemaIdAsPoisonNotAsRegistryFailure() {
    byte[] bytes = codec.encode(turn("hi"));
    ByteBuffer.wrap(bytes, 1, 4).putInt(4242);

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("unknown schema id 4242");
  }

  @Test
  void shouldRefuseTruncatedAndShortRecords() {
    byte[] bytes = codec.encode(turn("a long enough text to be cut"));

    assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, 3)))
        .isInstanceOf(UndecodableRecordException.class).hasMessageContaining("shorter than the 5-byte");
    assertThatThrownBy(() -> codec.decode(Arrays.copyOf(bytes, bytes.length - 6)))
        .isInstanceOf(UndecodableRecordException.class).hasMessageContaining("does not match schema id");
    assertThatThrownBy(() -> codec.decode(null))
        .isInstanceOf(UndecodableRecordException.class).hasMessageContaining("tombstone");
  }

  @Test
  void shouldRefuseARecordOfAnotherTypeRegisteredUnderTheSameRegistry() {
    int otherId = registry.register("other-value", SchemaBuilder.record("Other").namespace("x").fields()
        .requiredString("a").endRecord());
    byte[] bytes = new byte[] {0, 0, 0, 0, (byte) otherId, 2, 'h'};

    assertThatThrownBy(() -> codec.decode(bytes))
        .isInstanceOf(UndecodableRecordException.class)
        .hasMessageContaining("is x.Other, expected org.streamdistill.records.DialogueTurn");
  }

  @Test
  void shouldReadDataWrittenWithAnOlderWriterSchema() throws Exception {
    // Given a writer that knew the turn before 'held_out' and 'gold_label' existed
    Schema full = DialogueTurn.getClassSchema();
    SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("DialogueTurn")
        .namespace("org.streamdistill.records").fields();
    for (Schema.Field f : full.getFields()) {
      if (!f.name().equals("held_out") && !f.name().equals("gold_label")) {
        fields = fields.name(f.name()).type(f.schema()).noDefault();
      }
    }
    Schema older = fields.endRecord();
    int olderId = registry.register("legacy-value", older);
    GenericData.Record record = new GenericData.Record(older);
    record.put("turn_id", "t-9");
    record.put("conversation_id", "c-9");
    record.put("turn_index", 3);
    record.put("speaker", "user");
    record.put("text", "hello");
    record.put("event_time", 42L);
    record.put("source", "old");
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(new byte[] {0, 0, 0, 0, (byte) olderId});
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericData.Record>(older).write(record, encoder);
    encoder.flush();

    // When the current reader decodes it
    DialogueTurn decoded = codec.decode(out.toByteArray());

    // Then the new fields take their defaults
    assertThat(decoded.getTurnId()).isEqualTo("t-9");
    assertThat(decoded.getTurnIndex()).isEqualTo(3);
    assertThat(decoded.getGoldLabel()).isNull();
    assertThat(decoded.getHeldOut()).isFalse();
  }
}
