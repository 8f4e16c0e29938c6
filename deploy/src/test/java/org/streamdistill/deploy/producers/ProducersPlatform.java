package org.streamdistill.deploy.producers;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.streamdistill.deploy.demo.TopicReader;
import org.streamdistill.deploy.experiment.CatalogueNamespaceProvisioner;
import org.streamdistill.deploy.platform.EmbeddedKafka;
import org.streamdistill.deploy.registry.EmbeddedSchemaRegistry;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;

/** A broker and a schema registry for one test class, plus helpers to read what producers wrote. */
final class ProducersPlatform implements AutoCloseable {

  final EmbeddedKafka kafka;
  final EmbeddedSchemaRegistry registryServer;
  final SchemaRegistryClient registry;
  final Admin admin;

  ProducersPlatform() {
    kafka = EmbeddedKafka.start();
    registryServer = EmbeddedSchemaRegistry.start(kafka.bootstrapServers());
    registry = new RestSchemaRegistryClient(registryServer.url());
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  String bootstrap() {
    return kafka.bootstrapServers();
  }

  /** A fresh namespace with every catalogue topic created. */
  String freshNamespace(String prefix) {
    String namespace = prefix + UUID.randomUUID().toString().substring(0, 8);
    new CatalogueNamespaceProvisioner().provision(bootstrap(), namespace);
    return namespace;
  }

  /** One record of a topic as read back: where it is and everything it holds. */
  record Stored(int partition, long offset, String key, byte[] value, long timestamp, Map<String, String> headers) {
    /** What a copy must preserve, without the position. */
    List<Object> content() {
      return List.of(key, new String(value, StandardCharsets.ISO_8859_1), timestamp);
    }
  }

  List<Stored> readRaw(String topic) {
    List<Stored> records = new ArrayList<>();
    new TopicReader(bootstrap(), registry).forEachRaw(topic, r -> records.add(stored(r)));
    // TopicReader interleaves partitions as fetched: sort into a stable (partition, offset) order.
    records.sort(java.util.Comparator.comparingInt(Stored::partition).thenComparingLong(Stored::offset));
    return records;
  }

  List<DialogueTurn> readTurns(String namespace) {
    return new TopicReader(bootstrap(), registry).readAll(Topics.TURNS.inNamespace(namespace));
  }

  private static Stored stored(ConsumerRecord<byte[], byte[]> r) {
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
    return new Stored(r.partition(), r.offset(), r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
        r.value(), r.timestamp(), headers);
  }

  static DialogueTurn turn(String conversation, int index, String text, Instant time) {
    return DialogueTurn.newBuilder().setTurnId(conversation + "/" + index).setConversationId(conversation)
        .setTurnIndex(index).setSpeaker("user").setText(text).setEventTime(time).setSource("test")
        .setGoldLabel(null).setHeldOut(false).build();
  }

  @Override
  public void close() {
    admin.close();
    registryServer.close();
    kafka.close();
  }
}
