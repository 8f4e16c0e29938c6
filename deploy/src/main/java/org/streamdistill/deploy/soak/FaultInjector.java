package org.streamdistill.deploy.soak;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.evaluator.lag.MonitoredGroup;
import org.streamdistill.records.DialogueTurn;
import org.streamdistill.schemas.registry.SchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.deploy.soak.SoakPlatform.Stage;

/**
 * Injects one fault at a time into the running {@link SoakPlatform} and returns how to judge
 * it. Process faults restart the process (as a supervisor would) and then send a probe turn
 * straight to {@code dialogue.turns}: the pipeline has recovered when the probe's prediction
 * is committed (for the evaluator: when its group has committed past that prediction). Bad
 * input must be refused with a 4xx or be a dead letter with headers.
 */
final class FaultInjector implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);
  static final String PROBE_SOURCE = "soak-probe";
  static final String POISON_SOURCE = "soak-poison";

  private final SoakPlatform platform;
  private final OutputWatcher watcher;
  private final TurnTraffic http;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AvroWireCodec<DialogueTurn> turnCodec;
  private final Admin admin;
  private final java.net.http.HttpClient rawHttp = java.net.http.HttpClient.newHttpClient();
  private final Random random;
  private final Duration brokerPause;
  private final Map<String, Long> evaluatorCommittedAt = new ConcurrentHashMap<>();
  private int probes;

  FaultInjector(SoakPlatform platform, OutputWatcher watcher, TurnTraffic http, SchemaRegistryClient registry,
                long seed, Duration brokerPause) {
    this.platform = platform;
    this.brokerPause = brokerPause;
    this.watcher = watcher;
    this.http = http;
    this.random = new Random(seed);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.turnCodec = new AvroWireCodec<>(registry, Topics.TURNS.valueSubject(), DialogueTurn.class);
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
  }

  Injection inject(Fault fault) throws Exception {
    long start = System.currentTimeMillis();
    LOG.info("injecting {}", fault.key());
    return switch (fault) {
      case BROKER_RESTART -> {
        platform.process(Stage.BROKER).stop(60);
        platform.startBroker();
        yield probe(fault, start, "broker stopped with SIGTERM and started again");
      }
      case BROKER_PAUSE -> {
        StageProcess broker = platform.process(Stage.BROKER);
        broker.pause();
        try {
          Thread.sleep(brokerPause.toMillis());
        } finally {
          broker.resume();
        }
        yield probe(fault, System.currentTimeMillis(), "broker frozen for " + brokerPause.toSeconds() + " s");
      }
      case REGISTRY_RESTART -> {
        platform.process(Stage.REGISTRY).stop(30);
        platform.process(Stage.REGISTRY).start();
        platform.awaitRegistry();
        yield probe(fault, start, "registry stopped and started again");
      }
      case TEACHER_KILL -> restartKilled(fault, Stage.TEACHER, start);
      case TRAINER_KILL -> restartKilled(fault, Stage.TRAINER, start);
      case EVALUATOR_KILL -> {
        platform.process(Stage.EVALUATOR).kill();
        platform.process(Stage.EVALUATOR).start();
        Injection probe = probe(fault, start, "evaluator killed with kill -9 and started again");
        String probeId = probe.detail().substring(probe.detail().lastIndexOf(' ') + 1);
        yield new Injection(fault, start, probe.detail(), () -> evaluatorCommittedAt.get(probeId), () -> null);
      }
      case INGEST_RESTART -> {
        platform.process(Stage.INGEST).stop(30);
        platform.process(Stage.INGEST).start();
        platform.awaitIngest();
        long accepted = postUntilAccepted("{\"speaker\":\"user\",\"text\":\"is the branch open on sunday\"}",
            Duration.ofMinutes(2));
        Long at = accepted < 0 ? null : accepted;
        yield new Injection(fault, start, "ingestion stopped and started again; first 202 after it", () -> at,
            () -> at == null ? "ingestion did not accept a valid turn within 2 minutes of its restart" : null);
      }
      case BAD_HTTP -> badHttp(start);
      case BAD_KAFKA -> badKafka(start);
      case SLOW_HTTP -> slowHttp(start);
    };
  }

  private Injection restartKilled(Fault fault, Stage stage, long start) throws Exception {
    platform.process(stage).kill();
    platform.process(stage).start();
    return probe(fault, start, platform.process(stage).name() + " killed with kill -9 and started again");
  }

  /** Sends a probe turn; recovered when its prediction is committed. */
  private Injection probe(Fault fault, long start, String what) throws Exception {
    String id = "probe-" + (++probes);
    DialogueTurn turn = DialogueTurn.newBuilder().setTurnId(id).setConversationId("soak-" + id).setTurnIndex(0)
        .setSpeaker("user").setText("what is my balance").setEventTime(Instant.now()).setSource(PROBE_SOURCE)
        .setGoldLabel(null).setHeldOut(false).build();
    producer.send(new ProducerRecord<>(Topics.TURNS.name(), turn.getConversationId().getBytes(StandardCharsets.UTF_8),
        turnCodec.encode(turn))).get(3, TimeUnit.MINUTES);
    return new Injection(fault, start, what + "; probe " + id, () -> watcher.predictionSeenAt(id),
        () -> watcher.predictionSeenAt(id) == null ? "probe " + id + " never got its prediction" : null);
  }

  /** Polled by the soak every second: records when the evaluator's group committed past each probe's prediction. */
  void checkEvaluatorProgress() {
    List<String> waiting = new ArrayList<>();
    for (int i = 1; i <= probes; i++) {
      String id = "probe-" + i;
      if (!evaluatorCommittedAt.containsKey(id) && watcher.predictionPosition(id) != null) {
        waiting.add(id);
      }
    }
    if (waiting.isEmpty()) {
      return;
    }
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(MonitoredGroup.EVALUATOR)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      long now = System.currentTimeMillis();
      for (String id : waiting) {
        var position = watcher.predictionPosition(id);
        OffsetAndMetadata offset = committed.get(position.getKey());
        if (offset != null && offset.offset() > position.getValue()) {
          evaluatorCommittedAt.put(id, now);
        }
      }
    } catch (Exception e) {
      LOG.debug("cannot read the evaluator's offsets now: {}", e.toString());
    }
  }

  private Injection badHttp(long start) {
    String base = "{\"speaker\":\"user\",\"text\":";
    List<String> bodies = List.of(
        base + "\"what is my balance\",\"timestamp\":\"1969-12-31T23:59:59Z\"}",
        base + "\"what is my balance\",\"timestamp\":" + (System.currentTimeMillis() + 7_200_000L) + "}",
        base + "\"   \"}",
        base + "\"" + "x".repeat(5_000) + "\"}",
        base + "\"what is my balance\",\"speaker\":\"robot\"}",
        "{\"speaker\":\"user\",\"text\":\"caf\u00e9\"}");
    List<Integer> statuses = new ArrayList<>();
    for (String body : bodies) {
      statuses.add(http.post(platform.ingestUri(), platform.token(), "soak-bad", body));
    }
    // invalid UTF-8: a Latin-1 byte where UTF-8 needs a continuation
    statuses.add(postRaw(("{\"speaker\":\"user\",\"text\":\"caf" + (char) 0xE9 + "\"}").getBytes(StandardCharsets.ISO_8859_1)));
    statuses.add(http.post(platform.ingestUri(), "wrong-token-0123456789", "soak-bad", base + "\"hi\"}"));
    long done = System.currentTimeMillis();
    // the sixth body is valid (a control): it must be accepted
    List<Integer> expected = List.of(400, 400, 400, 400, 400, 202, 400, 401);
    String problem = statuses.equals(expected) ? null : "expected " + expected + ", got " + statuses;
    return new Injection(Fault.BAD_HTTP, start, "answers " + statuses, () -> done, () -> problem);
  }

  private int postRaw(byte[] body) {
    try {
      return rawHttp.send(java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create(platform.ingestUri() + "/v1/conversations/soak-bad/turns"))
              .header("Authorization", "Bearer " + platform.token()).header("Content-Type", "application/json")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(20)).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private Injection badKafka(long start) throws Exception {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    bytes[0] = 7; // not the wire format's magic byte
    DialogueTurn old = poisonTurn("1969", "what is my balance", Instant.parse("1969-12-31T23:59:59Z"));
    byte[] unknownSchema = turnCodec.encode(poisonTurn("schema", "what is my balance", Instant.now()));
    ByteBuffer.wrap(unknownSchema, 1, 4).putInt(987_654);
    List<byte[]> poison = List.of(bytes, unknownSchema, turnCodec.encode(old),
        turnCodec.encode(poisonTurn("blank", " \u00a0\t ", Instant.now())));
    List<String> coordinates = new ArrayList<>();
    for (byte[] value : poison) {
      RecordMetadata md = producer.send(new ProducerRecord<>(Topics.TURNS.name(),
          "soak-poison".getBytes(StandardCharsets.UTF_8), value)).get(3, TimeUnit.MINUTES);
      coordinates.add(md.topic() + "-" + md.partition() + "@" + md.offset());
    }
    return new Injection(Fault.BAD_KAFKA, start, "poison at " + coordinates, () -> {
      long latest = 0;
      for (String c : coordinates) {
        OutputWatcher.DeadLetter dead = watcher.deadLetter(c);
        if (dead == null) {
          return null;
        }
        latest = Math.max(latest, dead.seenAt());
      }
      return latest;
    }, () -> {
      for (String c : coordinates) {
        OutputWatcher.DeadLetter dead = watcher.deadLetter(c);
        if (dead == null || dead.stage() == null || dead.message() == null) {
          return "no dead letter with headers for the poison record at " + c;
        }
      }
      return null;
    });
  }

  private DialogueTurn poisonTurn(String id, String text, Instant eventTime) {
    return DialogueTurn.newBuilder().setTurnId("poison-" + id + "-" + random.nextInt(1_000_000))
        .setConversationId("soak-poison").setTurnIndex(0).setSpeaker("user").setText(text).setEventTime(eventTime)
        .setSource(POISON_SOURCE).setGoldLabel(null).setHeldOut(false).build();
  }

  /**
   * Opens connections that send half a request and stop, and connections that send nothing, then
   * checks that a valid turn is still accepted while they hang; closes them after 20 s.
   */
  private Injection slowHttp(long start) throws Exception {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      Socket socket = new Socket("127.0.0.1", platform.ingestPort());
      if (i % 2 == 0) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/conversations/slow-" + i + "/turns HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      sockets.add(socket);
    }
    long accepted = postUntilAccepted("{\"speaker\":\"user\",\"text\":\"how do i reset my pin\"}", Duration.ofSeconds(30));
    Thread closer = new Thread(() -> {
      try {
        Thread.sleep(20_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a socket the server may have closed already
        }
      }
    }, "soak-slow-closer");
    closer.setDaemon(true);
    closer.start();
    Long at = accepted < 0 ? null : accepted;
    return new Injection(Fault.SLOW_HTTP, start, "16 slow or silent connections held open 20 s", () -> at,
        () -> at == null ? "a valid turn was not accepted within 30 s while slow connections were open" : null);
  }

  /** Posts until 202; the time of the 202, or -1 after {@code timeout}. */
  private long postUntilAccepted(String body, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (http.post(platform.ingestUri(), platform.token(), "soak-check", body) == 202) {
        return System.currentTimeMillis();
      }
      Thread.sleep(200);
    }
    return -1;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
    admin.close(Duration.ofSeconds(5));
  }
}
