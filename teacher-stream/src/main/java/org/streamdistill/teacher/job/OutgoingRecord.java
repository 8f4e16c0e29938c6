package org.streamdistill.teacher.job;

import java.util.Arrays;

/**
 * A record ready for Kafka: target topic, key and value bytes, headers. The job's one
 * exactly-once sink writes soft labels and dead letters alike, so both commit in the same
 * transaction as the source offsets they came from. A Flink POJO.
 */
public class OutgoingRecord {
  public String topic;
  public byte[] key;
  public byte[] value;
  public long timestamp;
  public String[] headerNames = new String[0];
  public String[] headerValues = new String[0];

  public OutgoingRecord() {}

  public OutgoingRecord(String topic, byte[] key, byte[] value, long timestamp, String[] headerNames, String[] headerValues) {
    this.topic = topic;
    this.key = key;
    this.value = value;
    this.timestamp = timestamp;
    this.headerNames = headerNames;
    this.headerValues = headerValues;
  }

  @Override
  public String toString() {
    return "OutgoingRecord{topic=" + topic + ", headers=" + Arrays.toString(headerNames) + "}";
  }
}
