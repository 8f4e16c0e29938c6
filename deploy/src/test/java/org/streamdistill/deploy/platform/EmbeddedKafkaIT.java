package org.streamdistill.deploy.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void shouldAnswerClientsAsASingleNodeClusterOnceStarted() throws Exception {
    // Given a started broker
    // When a client describes the cluster
    try (Admin admin = admin(kafka)) {
      DescribeClusterResult cluster = admin.describeCluster();

      // Then it sees exactly one node, the broker, with the cluster id the storage was formatted with
      assertThat(cluster.nodes().get()).extracting(Node::id, Node::host, Node::port)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(EmbeddedKafka.NODE_ID, "127.0.0.1", kafka.port()));
      assertThat(cluster.clusterId().get()).isEqualTo(kafka.clusterId());
    }
    assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
    assertThat(kafka.controllerPort()).isNotEqualTo(kafka.port());
  }

  @Test
  void shouldConsumeBackTheRecordsThatWereProduced() throws Exception {
    // Given a fresh topic
    String topic = "it.produce-consume." + UUID.randomUUID();
    createTopic(kafka, topic);

    // When three records are produced with acks=all
    produce(kafka, topic, List.of("a=1", "b=2", "c=3"));

    // Then a consumer reads exactly those records, in order
    assertThat(consumeAll(kafka, topic, 3)).containsExactly("a=1", "b=2", "c=3");
  }

  @Test
  void shouldKeepClusterIdTopicsAndRecordsWhenRestartedOnTheSameLogDirectory(@TempDir Path logDir) throws Exception {
    // Given a broker on a given log directory holding a topic with records
    String topic = "it.restart." + UUID.randomUUID();
    String clusterId;
    try (EmbeddedKafka first = EmbeddedKafka.builder().logDir(logDir).start()) {
      clusterId = first.clusterId();
      createTopic(first, topic);
      produce(first, topic, List.of("k1=before", "k2=restart"));
    }
    assertThat(logDir.resolve("meta.properties")).exists();

    // When a new broker starts on the same directory (on other free ports)
    try (EmbeddedKafka second = EmbeddedKafka.builder().logDir(logDir).start()) {

      // Then the storage is reused, not reformatted, and the records are still there
      assertThat(second.clusterId()).isEqualTo(clusterId);
      assertThat(consumeAll(second, topic, 2)).containsExactly("k1=before", "k2=restart");
    }
    // And a given directory outlives the broker
    assertThat(Files.isDirectory(logDir)).isTrue();
  }

  @Test
  void shouldDeleteItsTemporaryLogDirectoryOnClose() {
    // Given a broker on a temporary log directory
    EmbeddedKafka temporary = EmbeddedKafka.start();
    Path dir = temporary.logDir();
    assertThat(dir).isDirectory();

    // When it is closed
    temporary.close();

    // Then the directory is gone
    assertThat(dir).doesNotExist();
  }

  @Test
  void shouldStartAgainOnOtherPortsWhenAChosenFreePortWasTakenMeanwhile() throws Exception {
    // Given a chooser whose first broker port is taken by the time the broker binds it (what
    // another process can do between the free-port probe and the bind)
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<int[]> chosen = new ArrayList<>();
      EmbeddedKafka.PortChooser chooser = (broker, controller) -> {
        int[] ports = EmbeddedKafka.choosePorts(broker, controller);
        if (chosen.isEmpty()) {
          ports[0] = taken.getLocalPort();
        }
        chosen.add(ports);
        return ports;
      };

      // When the broker starts
      try (EmbeddedKafka retried = EmbeddedKafka.builder().portChooser(chooser).start()) {
        // Then it started on the second ports chosen, and answers there
        assertThat(chosen).hasSize(2);
        assertThat(retried.port()).isEqualTo(chosen.get(1)[0]).isNotEqualTo(taken.getLocalPort());
        try (Admin admin = admin(retried)) {
          assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
      }
    }
  }

  @Test
  void shouldNotReplaceAPortTheCallerGaveWhenItIsTaken() throws Exception {
    // Given a broker port, given by the caller, that another socket holds
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // When a broker is asked to start on it, then it fails naming the port, after trying no other
      assertThatThrownBy(() -> EmbeddedKafka.builder().port(taken.getLocalPort()).controllerPort(
          EmbeddedKafka.choosePorts(0, 0)[1]).start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("Kafka cannot listen on 127.0.0.1 (broker port " + taken.getLocalPort())
          .hasMessageContaining("Socket server failed to bind to 127.0.0.1:" + taken.getLocalPort())
          .hasMessageEndingWith("Give free ports, or 0 for any.");
    }
  }

  static Admin admin(EmbeddedKafka broker) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  private static void createTopic(EmbeddedKafka broker, String topic) throws Exception {
    try (Admin admin = admin(broker)) {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty()))).all().get();
    }
  }

  private static void produce(EmbeddedKafka broker, String topic, List<String> keyValues) throws Exception {
    Map<String, Object> config = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer =
             new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      for (String keyValue : keyValues) {
        String[] parts = keyValue.split("=", 2);
        producer.send(new ProducerRecord<>(topic, parts[0], parts[1])).get();
      }
    }
  }

  /** Reads partition 0 from the beginning until {@code expected} records arrived (bounded). */
  private static List<String> consumeAll(EmbeddedKafka broker, String topic, int expected) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<String> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
             new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          records.add(record.key() + "=" + record.value());
        }
      }
      // One more poll: nothing beyond what was produced
      consumer.poll(Duration.ofMillis(200)).forEach(record -> records.add(record.key() + "=" + record.value()));
    }
    return records;
  }
}
