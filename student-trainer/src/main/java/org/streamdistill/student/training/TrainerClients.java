package org.streamdistill.student.training;

import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The production Kafka clients of a {@link StudentTrainer}, built from its {@link
 * TrainerConfig}: the soft-labels consumer (in the trainer's group, read_committed, offsets
 * committed only through the producer's transactions), the promotions consumer (no group: it
 * reads the whole compacted topic) and the transactional producer, each with the configured
 * {@code kafka.*} client settings. Tests hand the trainer mock
 * clients instead.
 */
final class TrainerClients {

  private TrainerClients() {}

  static Consumer<byte[], byte[]> softLabelConsumer(TrainerConfig config) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    c.put(ConsumerConfig.CLIENT_ID_CONFIG, StudentTrainer.STAGE);
    // Static membership: a restarted trainer takes its predecessor's place at once instead of
    // waiting for the dead member's session to time out.
    c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.transactionalId());
    config.kafka().applyTo(c);
    return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static Consumer<byte[], byte[]> promotionConsumer(TrainerConfig config) {
    Properties pc = new Properties();
    pc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    pc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    pc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    pc.put(ConsumerConfig.CLIENT_ID_CONFIG, StudentTrainer.STAGE + "-promotions");
    config.kafka().applyTo(pc);
    return new KafkaConsumer<>(pc, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static Producer<byte[], byte[]> producer(TrainerConfig config) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, config.transactionTimeoutMillis());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, StudentTrainer.STAGE);
    config.kafka().applyTo(p);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
