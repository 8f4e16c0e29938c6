package org.streamdistill.schemas.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryException;

/**
 * Encodes and decodes one record type in the Confluent wire format: magic byte 0, the
 * writer schema's registry id as a 4-byte big-endian int, then Avro binary. The writer
 * schema is registered once under the subject given at construction; readers resolve any
 * registered writer schema against the generated class's schema, so older and newer
 * writers both decode.
 *
 * <p>Thread-safe: Kafka serdes, Flink schemas and plain clients all share this one codec.
 */
public final class AvroWireCodec<T extends SpecificRecord> {

  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_BYTES = 5;

  private final SchemaRegistryClient registry;
  private final String subject;
  private final Class<T> type;
  private final Schema readerSchema;
  private final SpecificDatumWriter<T> writer;
  private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
  private volatile int writerId = -1;

  public AvroWireCodec(SchemaRegistryClient registry, String subject, Class<T> type) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.subject = Objects.requireNonNull(subject, "subject");
    this.type = Objects.requireNonNull(type, "type");
    this.readerSchema = SpecificData.get().getSchema(type);
    this.writer = new SpecificDatumWriter<>(readerSchema);
  }

  /** The registry id of the schema this codec writes with (registered on first use). */
  public int writerSchemaId() {
    int id = writerId;
    if (id < 0) {
      id = registry.register(subject, readerSchema);
      writerId = id;
    }
    return id;
  }

  public byte[] encode(T value) {
    Objects.requireNonNull(value, "value");
    int id = writerSchemaId();
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    out.write(MAGIC_BYTE);
    out.write(id >>> 24);
    out.write(id >>> 16);
    out.write(id >>> 8);
    out.write(id);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.write(value, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot encode " + type.getSimpleName() + " for subject " + subject
          + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes wire-format bytes.
   *
   * @throws UndecodableRecordException when the bytes are not a valid record of this type
   * @throws SchemaRegistryException when the registry cannot be reached (retriable, not poison)
   */
  public T decode(byte[] bytes) {
    if (bytes == null) {
      throw new UndecodableRecordException("record value is null (a tombstone), expected " + type.getSimpleName());
    }
    if (bytes.length < HEADER_BYTES) {
      throw new UndecodableRecordException("record is " + bytes.length
          + " bytes, shorter than the 5-byte Confluent wire-format header");
    }
    if (bytes[0] != MAGIC_BYTE) {
      throw new UndecodableRecordException(String.format(
          "unknown magic byte 0x%02x (expected 0x00, the Confluent wire format)", bytes[0]));
    }
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    DatumReader<T> reader = readerFor(id);
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES, null);
    try {
      T value = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new UndecodableRecordException("record with schema id " + id + " has "
            + "trailing bytes after the Avro value");
      }
      return value;
    } catch (IOException | AvroRuntimeException | ClassCastException | IndexOutOfBoundsException
             | NegativeArraySizeException e) {
      throw new UndecodableRecordException("Avro data does not match schema id " + id + " ("
          + type.getSimpleName() + "): " + e, e);
    }
  }

  private DatumReader<T> readerFor(int id) {
    DatumReader<T> reader = readers.get(id);
    if (reader != null) {
      return reader;
    }
    Schema writerSchema;
    try {
      writerSchema = registry.schemaById(id);
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        throw new UndecodableRecordException("unknown schema id " + id + ": the registry has no such schema", e);
      }
      throw e;
    }
    if (!writerSchema.getFullName().equals(readerSchema.getFullName())) {
      throw new UndecodableRecordException("schema id " + id + " is " + writerSchema.getFullName()
          + ", expected " + readerSchema.getFullName());
    }
    reader = new SpecificDatumReader<>(writerSchema, readerSchema);
    readers.put(id, reader);
    return reader;
  }

  public Class<T> type() {
    return type;
  }

  public String subject() {
    return subject;
  }
}
