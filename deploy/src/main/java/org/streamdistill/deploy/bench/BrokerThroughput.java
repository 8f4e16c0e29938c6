package org.streamdistill.deploy.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The broker alone, as an upper bound for the pipeline: given records (key and value bytes),
 * produced as the replay produces turns (idempotent, {@code acks=all}, {@code linger.ms=5}) to a
 * fresh topic with the catalogue's partition count, then consumed back with {@code
 * read_committed}. The records are repeated until {@code count} have been sent, so that the
 * timing spans long enough to mean something.
 */
final class BrokerThroughput {

  /** Records per second each way. */
  record Rate(double producePerSecond, double consumePerSecond, double meanValueBytes) {}

  private final String bootstrapServers;

  BrokerThroughput(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  Rate measure(String topic, int partitions, List<byte[]> keys, List<byte[]> values, long count) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
    double bytes = 0;
    for (byte[] v : values) {
      bytes += v.length;
    }
    double produce = produce(topic, partitions, keys, values, count);
    // The consumer reads the readiness records too: one per partition, written before the clock started.
    double consume = consume(topic, count + partitions);
    return new Rate(produce, consume, bytes / values.size());
  }

  private double produce(String topic, int partitions, List<byte[]> keys, List<byte[]> values, long count)
      throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-broker-producer");
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer =
             new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      // Before the clock starts: metadata, the producer id, and one acknowledged record per partition.
      // The last also waits out a just-created partition's leader election: an idempotent producer
      // whose first batches meet NOT_LEADER_OR_FOLLOWER while later ones succeed retries them out of
      // sequence forever (seen with 4.2 clients on a fresh KRaft topic).
      producer.partitionsFor(topic);
      for (int p = 0; p < partitions; p++) {
        producer.send(new ProducerRecord<>(topic, p, keys.get(0), values.get(0))).get();
      }
      long start = System.nanoTime();
      for (long i = 0; i < count; i++) {
        int k = (int) (i % values.size());
        producer.send(new ProducerRecord<>(topic, keys.get(k), values.get(k)), (m, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
      }
      producer.flush();
      double seconds = (System.nanoTime() - start) / 1e9;
      if (failure.get() != null) {
        throw failure.get();
      }
      return count / seconds;
    }
  }

  private double consume(String topic, long count) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-broker-consumer");
    try (KafkaConsumer<byte[], byte[]> consumer =
             new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long start = System.nanoTime();
      long read = 0;
      long deadline = start + Duration.ofMinutes(5).toNanos();
      while (read < count) {
        read += consumer.poll(Duration.ofMillis(200)).count();
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("read " + read + " of " + count + " records of " + topic + " in 5 minutes");
        }
      }
      return count / ((System.nanoTime() - start) / 1e9);
    }
  }
}
