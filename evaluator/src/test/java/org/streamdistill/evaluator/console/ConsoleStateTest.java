package org.streamdistill.evaluator.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streamdistill.evaluator.lag.ConsumerStatus;
import org.streamdistill.evaluator.lag.GroupLag;
import org.streamdistill.evaluator.lag.LagSnapshot;
import org.streamdistill.evaluator.lag.PartitionLag;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.records.RollingMetrics;
import org.streamdistill.records.StudentCheckpoint;

class ConsoleStateTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static LagSnapshot lag(long atMillis, long trainerLag, ConsumerStatus status) {
    return new LagSnapshot(Instant.ofEpochMilli(atMillis), List.of(
        new GroupLag("student-trainer", status, List.of(
            new PartitionLag("teacher.soft-labels", 0, 10, 10 + trainerLag, trainerLag, 1_500, status)))));
  }

  private static Map<String, Double> rates(double turns) {
    Map<String, Double> rates = new LinkedHashMap<>();
    rates.put("dialogue.turns", turns);
    return rates;
  }

  @Test
  void shouldRenderHistoriesCurrentFiguresAndEvidenceAsOneDocument() throws Exception {
    // Given two samples, a rolling-metrics record, a promotion then a hold, a checkpoint and two dead letters
    ConsoleState state = new ConsoleState("", "http://127.0.0.1:8090", 10);
    state.sample(new ConsoleState.Sample(1_000, rates(5.0), lag(1_000, 7, ConsumerStatus.WARN), 40, 90, Double.NaN,
        Double.NaN));
    state.sample(new ConsoleState.Sample(2_000, rates(10.0), lag(2_000, 0, ConsumerStatus.OK), 30, 80, 120, 200));
    state.rollingMetrics(1_500, RollingMetrics.newBuilder().setModelVersion("student-v2").setRole("challenger")
        .setWindowType("last_turns").setWindowStart(Instant.EPOCH).setWindowEnd(Instant.ofEpochMilli(1))
        .setTurns(200).setTeacherAgreements(150).setTeacherAgreement(0.75).setGoldTurns(20).setGoldCorrect(12)
        .setGoldAccuracy(0.6).build());
    state.decision(1_850, PromotionEvent.newBuilder().setModelName("student").setDecision("PROMOTE").setFromVersion(null)
        .setToVersion("student-v2").setDecidedAt(Instant.ofEpochMilli(1_800)).setPairedTurns(200)
        .setChallengerOnlyCorrect(20).setChampionOnlyCorrect(2).setChampionScore(0.1).setChallengerScore(0.7)
        .setMetric("teacher").setPValue(1.5e-5).setReason("better").build());
    state.decision(1_950, PromotionEvent.newBuilder().setModelName("student").setDecision("HOLD").setFromVersion("student-v2")
        .setToVersion("student-v3").setDecidedAt(Instant.ofEpochMilli(1_900)).setPairedTurns(200)
        .setChallengerOnlyCorrect(5).setChampionOnlyCorrect(4).setChampionScore(0.7).setChallengerScore(0.71)
        .setMetric("teacher").setReason("not significant").build());
    state.checkpoint(StudentCheckpoint.newBuilder().setModelName("student").setModelVersion("student-v2")
        .setSamplesSeen(200).setOffsets(Map.of()).setWeightsUri("file:/w/student-v2.ckpt")
        .setOnnxUri("file:/w/student-v2.onnx").setLabelSetId("l").setCreatedAt(Instant.ofEpochMilli(1_700)).build());
    state.deadLetter("dialogue.turns", "InvalidTurnException");
    state.deadLetter("dialogue.turns", "InvalidTurnException");

    // When rendered
    JsonNode json = JSON.readTree(JSON.writeValueAsString(state.toJson()));

    // Then the document holds exactly these figures
    assertThat(json).isEqualTo(JSON.readTree("""
        {"namespace":"","serveUrl":"http://127.0.0.1:8090","sampledAt":2.0,
         "champion":{"version":"student-v2","since":1.85,"onnxUri":"file:/w/student-v2.onnx",
                     "latestCheckpoint":"student-v2","checkpoints":1},
         "lag":[{"group":"student-trainer","status":"OK","meaning":"%s","records":0,"seconds":1.5}],
         "rates":{"dialogue.turns":10.0},
         "history":{"t":[1.0,2.0],
                    "lagRecords":{"student-trainer":[7,0]},"lagSeconds":{"student-trainer":[1.5,1.5]},
                    "rates":{"dialogue.turns":[5.0,10.0]},
                    "teacherLatencyP50Ms":[40.0,30.0],"teacherLatencyP95Ms":[90.0,80.0],
                    "studentLatencyP50Ms":[null,120.0],"studentLatencyP95Ms":[null,200.0]},
         "models":[{"t":1.5,"version":"student-v2","role":"challenger","window":"last_turns","turns":200,
                    "agreement":0.75,"goldAccuracy":0.6,"kl":null,"eceTeacher":null,"latencyP50Ms":null}],
         "decisions":[{"t":1.85,"decidedAt":1.8,"decision":"PROMOTE","from":null,"to":"student-v2","metric":"teacher",
                       "pairedTurns":200,"championScore":0.1,"challengerScore":0.7,"pValue":1.5E-5,
                       "reason":"better"}],
         "holds":1,
         "deadLetters":[{"topic":"dialogue.turns","reason":"InvalidTurnException","count":2}]}
        """.formatted(ConsumerStatus.OK.meaning())));
  }

  @Test
  void shouldKeepTheLastTurnsHistoryWhenTimeWindowUpdatesFlood() throws Exception {
    // Given one last-turns point, then more time-window updates than the state keeps of a window type
    ConsoleState state = new ConsoleState("", "u", 10);
    state.rollingMetrics(1_000, metrics("last_turns", 0.5));
    for (int i = 0; i <= ConsoleState.MAX_MODEL_POINTS; i++) {
      state.rollingMetrics(2_000 + i, metrics("time", 0.9));
    }

    // When rendered
    JsonNode models = JSON.readTree(JSON.writeValueAsString(state.toJson())).get("models");

    // Then the last-turns point is still there, and only the newest time-window points
    assertThat(models).hasSize(1 + ConsoleState.MAX_MODEL_POINTS);
    assertThat(models).filteredOn(p -> p.get("window").asText().equals("last_turns"))
        .extracting(p -> p.get("t").asDouble()).containsExactly(1.0);
    assertThat(models).filteredOn(p -> p.get("window").asText().equals("time"))
        .extracting(p -> p.get("t").asDouble()).first().isEqualTo(2.001);
  }

  private static RollingMetrics metrics(String windowType, double agreement) {
    return RollingMetrics.newBuilder().setModelVersion("student-v2").setRole("challenger")
        .setWindowType(windowType).setWindowStart(Instant.EPOCH).setWindowEnd(Instant.ofEpochMilli(1))
        .setTurns(200).setTeacherAgreements((long) (200 * agreement)).setTeacherAgreement(agreement).setGoldTurns(0)
        .setGoldCorrect(0).build();
  }

  @Test
  void shouldPadASeriesThatStartsLateWithNullsAndKeepOnlyTheLastSamples() throws Exception {
    ConsoleState state = new ConsoleState("", "u", 2);
    state.sample(new ConsoleState.Sample(1_000, rates(1.0), LagSnapshot.EMPTY, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN));
    state.sample(new ConsoleState.Sample(2_000, rates(2.0), LagSnapshot.EMPTY, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN));
    state.sample(new ConsoleState.Sample(3_000, rates(3.0), lag(3_000, 4, ConsumerStatus.STALL), Double.NaN,
        Double.NaN, Double.NaN, Double.NaN));

    JsonNode history = JSON.readTree(JSON.writeValueAsString(state.toJson())).get("history");

    assertThat(history.get("t")).isEqualTo(JSON.readTree("[2.0,3.0]"));
    assertThat(history.get("lagRecords")).isEqualTo(JSON.readTree("{\"student-trainer\":[null,4]}"));
    assertThat(history.get("rates")).isEqualTo(JSON.readTree("{\"dialogue.turns\":[2.0,3.0]}"));
  }
}
