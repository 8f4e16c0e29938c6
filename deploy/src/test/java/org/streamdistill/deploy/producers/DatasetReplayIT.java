package org.streamdistill.deploy.producers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.deploy.experiment.CatalogueNamespaceProvisioner;
import org.streamdistill.producers.replay.ReplayMain;
import org.streamdistill.records.DialogueTurn;

/** {@code replay dataset} through the same entry point the command line uses, into a namespace of the embedded broker. */
class DatasetReplayIT {

  private static ProducersPlatform platform;

  @TempDir
  Path dir;

  @BeforeAll
  static void startPlatform() {
    platform = new ProducersPlatform();
  }

  @AfterAll
  static void stopPlatform() {
    platform.close();
  }

  private int replay(List<String> args, ByteArrayOutputStream out, ByteArrayOutputStream err) throws Exception {
    List<String> all = new ArrayList<>(List.of("dataset", "--bootstrap-servers", platform.bootstrap(),
        "--registry", platform.registryServer.url()));
    all.addAll(args);
    return ReplayMain.run(all, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new CatalogueNamespaceProvisioner());
  }

  @Test
  void shouldReplayAJsonLinesFileAtItsOriginalPaceKeepingItsConversationsAndTimes() throws Exception {
    // Given 30 utterances of 3 conversations, written out of time order, 100 ms apart
    Instant t0 = Instant.parse("2024-05-01T12:00:00Z");
    StringBuilder lines = new StringBuilder();
    for (int i = 29; i >= 0; i--) {
      lines.append(String.format("{\"utterance\":\"message %d\",\"intent\":\"i%d\",\"chat\":\"chat-%d\",\"at\":\"%s\"}%n",
          i, i % 5, i % 3, t0.plusMillis(100L * i)));
    }
    Path file = dir.resolve("support.jsonl");
    Files.writeString(file, lines.toString());
    String namespace = "ds" + Long.toHexString(System.nanoTime());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    // When it is replayed at the original pace, ten times faster, with original event times
    long start = System.nanoTime();
    int code = replay(List.of("--path", file.toString(), "--text-column", "utterance", "--label-column", "intent",
        "--conversation-column", "chat", "--timestamp-column", "at", "--pace", "original", "--speed", "10",
        "--replay.event-time", "original", "--gold-fraction", "1", "--namespace", namespace), out, err);
    long millis = (System.nanoTime() - start) / 1_000_000;

    // Then every utterance is a turn in time order within its conversation, with its label and time
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(code).isZero();
    assertThat(millis).isGreaterThanOrEqualTo(290); // 2.9 s of original time at x10
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("replay [####################] 30/30 100.0%")
        .contains("done, 30 turns acknowledged");
    List<DialogueTurn> turns = platform.readTurns(namespace);
    assertThat(turns).hasSize(30);
    Map<String, List<DialogueTurn>> byConversation = new HashMap<>();
    turns.forEach(t -> byConversation.computeIfAbsent(t.getConversationId(), c -> new ArrayList<>()).add(t));
    assertThat(byConversation).containsOnlyKeys("support-chat-0", "support-chat-1", "support-chat-2");
    assertThat(byConversation.values()).allSatisfy(list -> {
      for (int i = 0; i < list.size(); i++) {
        DialogueTurn turn = list.get(i);
        assertThat(turn.getTurnIndex()).isEqualTo(i);
        int n = Integer.parseInt(turn.getText().substring("message ".length()));
        assertThat(turn.getEventTime()).isEqualTo(t0.plusMillis(100L * n));
        assertThat(turn.getGoldLabel()).isEqualTo("i" + (n % 5));
        assertThat(turn.getSource()).isEqualTo("dataset:support");
      }
    });
  }

  @Test
  void shouldReplayACsvFileGroupingUtterancesIntoConversations() throws Exception {
    // Given 50 single utterances in a CSV file
    StringBuilder csv = new StringBuilder("text,label\n");
    for (int i = 0; i < 50; i++) {
      csv.append("\"hello, number ").append(i).append("\",greeting\n");
    }
    Path file = dir.resolve("greetings.csv");
    Files.writeString(file, csv.toString());
    String namespace = "ds" + Long.toHexString(System.nanoTime());

    // When it is replayed at 500 turns per second with a seed
    int code = replay(List.of("--path", file.toString(), "--label-column", "label", "--rate", "500", "--seed", "3",
        "--namespace", namespace), new ByteArrayOutputStream(), new ByteArrayOutputStream());

    // Then all 50 arrive, grouped into conversations numbered from 0
    assertThat(code).isZero();
    List<DialogueTurn> turns = platform.readTurns(namespace);
    assertThat(turns).hasSize(50).allSatisfy(t -> assertThat(t.getConversationId()).startsWith("greetings-s3-"));
    Map<String, List<Integer>> indexes = new HashMap<>();
    turns.forEach(t -> indexes.computeIfAbsent(t.getConversationId(), c -> new ArrayList<>()).add(t.getTurnIndex()));
    assertThat(indexes.size()).isGreaterThan(1);
    assertThat(indexes.values()).allSatisfy(list -> assertThat(list)
        .isEqualTo(java.util.stream.IntStream.range(0, list.size()).boxed().toList()));
  }

  @Test
  void shouldExitWith2AndNameTheLineOfABadFile() throws Exception {
    Path file = dir.resolve("broken.jsonl");
    Files.writeString(file, "{\"text\":\"ok\"}\n{\"text\":\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code = replay(List.of("--path", file.toString()), new ByteArrayOutputStream(), err);

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("replay dataset: broken.jsonl line 2: not valid JSON");
  }
}
