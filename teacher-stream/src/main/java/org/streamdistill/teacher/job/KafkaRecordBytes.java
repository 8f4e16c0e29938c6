package org.streamdistill.teacher.job;

/**
 * A record as read from Kafka, still undecoded: decoding happens in the scoring operator so
 * that poison bytes reach the dead-letter topic untouched, with their coordinates. A Flink
 * POJO (public fields, no-arg constructor) so it needs no Kryo.
 */
public class KafkaRecordBytes {
  public String topic;
  public int partition;
  public long offset;
  public long timestamp;
  public byte[] key;
  public byte[] value;

  public KafkaRecordBytes() {}

  public KafkaRecordBytes(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
  }
}
