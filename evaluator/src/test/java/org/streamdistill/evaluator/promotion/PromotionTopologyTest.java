package org.streamdistill.evaluator.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.streamdistill.evaluator.Turns.challenger;
import static org.streamdistill.evaluator.Turns.champion;
import static org.streamdistill.evaluator.Turns.previous;
import static org.streamdistill.evaluator.Turns.turn;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.evaluator.EvaluatorConfig;
import org.streamdistill.evaluator.EvaluatorDriver;
import org.streamdistill.records.PromotionEvent;

/**
 * Promotion and rollback through the whole topology in a TopologyTestDriver, each decision
 * asserted with the evidence published on {@code model.promotions}. The teacher always says
 * label 1: a model that predicts 1 is right, one that predicts 2 is wrong.
 */
class PromotionTopologyTest {

  private static final String IN_MEMORY_STORES = EvaluatorConfig.STREAMS_PREFIX + StreamsConfig.DEFAULT_DSL_STORE_CONFIG;
  private static final int RIGHT = 1;
  private static final int WRONG = 2;

  @TempDir
  Path stateDir;

  private EvaluatorDriver evaluator;

  @AfterEach
  void close() {
    if (evaluator != null) {
      evaluator.close();
    }
  }

  private static int answer(boolean right) {
    return right ? RIGHT : WRONG;
  }

  @Test
  void shouldRollBackADegradedChampionAndPublishItsEvidence() {
    // Given looks every 10 pairs and no cooldown
    evaluator = new EvaluatorDriver(stateDir, Map.of(EvaluatorConfig.PROMOTION_COOLDOWN_TURNS, 0));

    // When: c4 beats champion k1 on 10 turns (promoted); then the trainer serves c4 with k1 on
    // standby, and on 10 gold-labelled turns c4 is wrong where k1 is right
    for (int i = 1; i <= 10; i++) {
      evaluator.pipe(turn("p" + i, 1_000L * i, RIGHT, null, challenger("c4", RIGHT), champion("k1", WRONG)));
    }
    for (int i = 11; i <= 20; i++) {
      evaluator.pipe(turn("w" + i, 1_000L * i, RIGHT, RIGHT, challenger("c5", WRONG), champion("c4", WRONG),
          previous("k1", RIGHT)));
    }

    // Then: PROMOTE k1 -> c4, then ROLLBACK c4 -> k1 with the watch's evidence: 10 pairs, all
    // won by k1 (b = 10, c = 0), p = 2^-10 below the first look's 0.01 / 2; decided on teacher
    // agreement (10 gold pairs are fewer than the 100 needed), where gold says the same
    assertThat(evaluator.promotions.readKeyValuesToList()).containsExactly(
        KeyValue.pair("student", PromotionEvent.newBuilder()
            .setModelName("student")
            .setDecision("PROMOTE")
            .setFromVersion("k1")
            .setToVersion("c4")
            .setDecidedAt(Instant.ofEpochMilli(10_000))
            .setPairedTurns(10)
            .setChallengerOnlyCorrect(10)
            .setChampionOnlyCorrect(0)
            .setChampionScore(0.0)
            .setChallengerScore(1.0)
            .setMetric("teacher")
            .setPValue(1.0 / 1024)
            .setReason("challenger is better: teacher agreement on 10 pairs: challenger 1.0000 vs champion 0.0000"
                + " (delta +1.0000), b=10 c=0, p=0.000977; look 1 needs p < 0.00500 and delta >= 0.0200")
            .setComparison("challenger")
            .setLook(1)
            .setPThreshold(0.01 / 2)
            .setMargin(0.02)
            .setScoreDelta(1.0)
            .setTeacherAgreementDelta(1.0)
            .setGoldAccuracyDelta(null)
            .setGoldPairs(0L)
            .build()),
        KeyValue.pair("student", PromotionEvent.newBuilder()
            .setModelName("student")
            .setDecision("ROLLBACK")
            .setFromVersion("c4")
            .setToVersion("k1")
            .setDecidedAt(Instant.ofEpochMilli(20_000))
            .setPairedTurns(10)
            .setChallengerOnlyCorrect(10)
            .setChampionOnlyCorrect(0)
            .setChampionScore(0.0)
            .setChallengerScore(1.0)
            .setMetric("teacher")
            .setPValue(1.0 / 1024)
            .setReason("champion is worse than the model it replaced: teacher agreement on 10 pairs: previous k1"
                + " 1.0000 vs champion c4 0.0000 (delta +1.0000), b=10 c=0, p=0.000977; look 1 needs p < 0.00500"
                + " and delta >= 0.0000")
            .setComparison("previous")
            .setLook(1)
            .setPThreshold(0.01 / 2)
            .setMargin(0.0)
            .setScoreDelta(1.0)
            .setTeacherAgreementDelta(1.0)
            .setGoldAccuracyDelta(1.0)
            .setGoldPairs(10L)
            .build()));
  }

  @Test
  void shouldNeitherPromoteNorRollBackEqualModelsOverALongStreamOfSeededNoise() {
    // Given looks every 200 pairs, no cooldown, and c1 promoted over k0 on 200 clear turns; the
    // stores in memory, because the driver flushes and checkpoints RocksDB after every record
    evaluator = new EvaluatorDriver(stateDir, Map.of(EvaluatorConfig.PROMOTION_MIN_PAIRED, 200,
        EvaluatorConfig.PROMOTION_COOLDOWN_TURNS, 0, IN_MEMORY_STORES, StreamsConfig.IN_MEMORY));
    for (int i = 0; i < 200; i++) {
      evaluator.pipe(turn("p" + i, 10L * i, RIGHT, null, challenger("c1", RIGHT), champion("k0", WRONG)));
    }

    // When: 20,000 turns on which challenger c2, champion c1 and c1's predecessor k0 (on
    // standby) are each right 80% of the time, independently
    Random random = new Random(42);
    for (int i = 200; i < 20_200; i++) {
      evaluator.pipe(turn("n" + i, 10L * i, RIGHT, null, challenger("c2", answer(random.nextDouble() < 0.8)),
          champion("c1", answer(random.nextDouble() < 0.8)), previous("k0", answer(random.nextDouble() < 0.8))));
    }

    // Then: the one promotion, then at each of the 100 looks one HOLD per comparison, each with
    // its evidence, and no promotion or rollback
    List<PromotionEvent> events = evaluator.promotions.readValuesToList();
    assertThat(events.get(0).getDecision()).isEqualTo("PROMOTE");
    List<PromotionEvent> after = events.subList(1, events.size());
    assertThat(after).hasSize(200).allSatisfy(event -> {
      assertThat(event.getDecision()).isEqualTo("HOLD");
      assertThat(event.getFromVersion()).isEqualTo("c1");
      assertThat(event.getPairedTurns()).isEqualTo(200L * event.getLook());
      assertThat(event.getPThreshold()).isEqualTo(0.01 / (event.getLook() * (event.getLook() + 1.0)));
      assertThat(event.getPValue()).isEqualTo(McNemarExactTest.oneSidedPValue(event.getChallengerOnlyCorrect(),
          event.getChampionOnlyCorrect()));
      assertThat(event.getScoreDelta()).isEqualTo(event.getChallengerScore() - event.getChampionScore());
      assertThat(event.getPValue() >= event.getPThreshold() || event.getScoreDelta() < event.getMargin())
          .as("a HOLD is not significant or below the margin: %s", event).isTrue();
    });
    assertThat(after).filteredOn(event -> event.getComparison().equals("previous"))
        .extracting(PromotionEvent::getToVersion, PromotionEvent::getMargin)
        .hasSize(100).containsOnly(tuple("k0", 0.0));
    assertThat(after).filteredOn(event -> event.getComparison().equals("challenger"))
        .extracting(PromotionEvent::getToVersion, PromotionEvent::getMargin)
        .hasSize(100).containsOnly(tuple("c2", 0.02));
  }
}
