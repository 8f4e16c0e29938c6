package org.streamdistill.evaluator.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromotionPolicyTest {

  /** A decision and the 1-based index of the turn that triggered it. */
  record Decided(int turn, Decision decision) {}

  private static PairedTurn paired(String challenger, String champion, boolean challengerRight,
      boolean championRight, long eventTimeMs) {
    return new PairedTurn(challenger, champion, challengerRight, championRight, false, false, false, eventTimeMs);
  }

  private static PairedTurn pairedWithGold(String challenger, String champion, boolean challengerTeacher,
      boolean championTeacher, boolean challengerGold, boolean championGold, long eventTimeMs) {
    return new PairedTurn(challenger, champion, challengerTeacher, championTeacher, true, challengerGold,
        championGold, eventTimeMs);
  }

  private static List<Decided> run(PromotionPolicy policy, List<PairedTurn> turns) {
    PromotionState state = PromotionState.INITIAL;
    List<Decided> decisions = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      PromotionPolicy.Step step = policy.observe(state, turns.get(i));
      state = step.state();
      int turn = i + 1;
      step.decisions().forEach(d -> decisions.add(new Decided(turn, d)));
    }
    return decisions;
  }

  @Test
  void shouldPromoteABetterChallengerWithItsEvidenceAtTheFirstLook() {
    // Given 200 paired turns: 140 both right, 40 only the challenger, 10 only the champion,
    // 10 both wrong; the challenger checkpoints from chal-6 to chal-7 halfway
    PromotionPolicy policy = new PromotionPolicy(PromotionSettings.defaults());
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String challenger = i < 100 ? "chal-6" : "chal-7";
      boolean challengerRight = i < 180;                 // 140 both + 40 challenger-only
      boolean championRight = i < 140 || i >= 180 && i < 190; // 140 both + 10 champion-only
      turns.add(paired(challenger, "champ-1", challengerRight, championRight, 1_000L * i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: promoted at turn 200, naming the latest challenger and the evidence
    assertThat(decisions).containsExactly(new Decided(200, new Decision(
        Decision.Kind.PROMOTE, Decision.Comparison.CHALLENGER, "champ-1", "chal-7", 199_000L, DecisionMetric.TEACHER,
        new PairedTally(200, 180, 150, 40, 10), PairedTally.EMPTY, McNemarExactTest.oneSidedPValue(40, 10), 1,
        0.01 / 2, 0.02,
        "challenger is better: teacher agreement on 200 pairs: challenger 0.9000 vs champion 0.7500 (delta +0.1500),"
            + " b=40 c=10, p=1.19e-05; look 1 needs p < 0.00500 and delta >= 0.0200")));
  }

  @Test
  void shouldKeepPlainAndWeightedSumsOfATallyAndDeriveEffectiveDiscordantCounts() {
    // Given discordant pairs won by the challenger at weights 1 and 4, by the champion at 1, 1, 1,
    // and one concordant pair (both right) at weight 2
    PairedTally tally = PairedTally.EMPTY.add(true, false, 1).add(true, false, 4).add(false, true, 1)
        .add(false, true, 1).add(false, true, 1).add(true, true, 2);

    // Then b = 2, c = 3; b_w = 5, c_w = 3; sum w^2 over the discordant = 1 + 16 + 1 + 1 + 1 = 20,
    // s = 8 / 20 = 0.4: b' = round(2.0) = 2, c' = round(1.2) = 1; scores (5 + 2) / 10 and (3 + 2) / 10
    assertThat(tally).isEqualTo(new PairedTally(6, 3, 4, 2, 3, 10, 7, 5, 5, 3, 20));
    assertThat(List.of(tally.effectiveChallengerOnlyCorrect(), tally.effectiveChampionOnlyCorrect()))
        .containsExactly(2L, 1L);
    assertThat(List.of(tally.challengerScore(), tally.championScore())).containsExactly(0.7, 0.5);
    assertThat(tally.weighted()).isTrue();
  }

  @Test
  void shouldTakeEffectiveCountsEqualToThePlainOnesWhenEveryWeightIsOneOrEveryWeightIsTheSame() {
    // Given random tables built once with weight 1 and once with weight 20 on every turn
    Random random = new Random(11);
    for (int table = 0; table < 200; table++) {
      PairedTally ones = PairedTally.EMPTY;
      PairedTally twenties = PairedTally.EMPTY;
      for (int i = random.nextInt(300); i > 0; i--) {
        boolean challenger = random.nextBoolean();
        boolean champion = random.nextDouble() < 0.4;
        ones = ones.add(challenger, champion, 1.0);
        twenties = twenties.add(challenger, champion, 20.0);
      }

      // Then weight 1 changes nothing: effective counts are the counts, scores the plain shares
      assertThat(ones.weighted()).isFalse();
      assertThat(List.of(ones.effectiveChallengerOnlyCorrect(), ones.effectiveChampionOnlyCorrect()))
          .containsExactly(ones.challengerOnlyCorrect(), ones.championOnlyCorrect());
      assertThat(ones.challengerScore()).isEqualTo(ones.pairs() == 0 ? 0.0
          : (double) ones.challengerCorrect() / ones.pairs());
      // And a weight every turn shares adds no evidence: the same b and c as weight 1
      assertThat(List.of(twenties.effectiveChallengerOnlyCorrect(), twenties.effectiveChampionOnlyCorrect()))
          .containsExactly(ones.challengerOnlyCorrect(), ones.championOnlyCorrect());
    }
  }

  @Test
  void shouldDecideOnWeightedTeacherEvidenceWithEffectiveDiscordantCounts() {
    // Given a look every 12 pairs, margin 0, alpha 0.5 (look 1 needs p < 0.25), and 12 turns: 4 won
    // only by the challenger, each audited at 5 % (weight 20), and 8 won only by the champion (weight 1)
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(12, 1_000, 0.0, 0.5, 0, true));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      boolean audited = i % 3 == 0;
      turns.add(new PairedTurn("chal-2", "champ-1", audited, !audited, false, false, false, i, null, false, false,
          true, audited ? 20.0 : 1.0));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then the weighted shares are 80 / 88 and 8 / 88; b_w = 80, c_w = 8, sum w^2 = 4 * 400 + 8 = 1608,
    // s = 88 / 1608: b' = round(4.378) = 4, c' = round(0.438) = 0, p = 2^-4 = 0.0625 < 0.25: PROMOTE.
    // (Unweighted, the champion won 8 of 12: delta -0.33, a HOLD.)
    PairedTally evidence = new PairedTally(12, 4, 8, 4, 8, 88, 80, 8, 80, 8, 1608);
    assertThat(decisions).containsExactly(new Decided(12, new Decision(
        Decision.Kind.PROMOTE, Decision.Comparison.CHALLENGER, "champ-1", "chal-2", 11L, DecisionMetric.TEACHER,
        evidence, PairedTally.EMPTY, 0.0625, 1, 0.25, 0.0,
        "challenger is better: teacher agreement on 12 pairs: challenger 0.9091 vs champion 0.0909 (delta +0.8182),"
            + " b=4 c=0 (effective, from weighted b_w=80.0 c_w=8.0 over 4 and 8 turns), p=0.0625; look 1 needs"
            + " p < 0.250 and delta >= 0.0000")));
    assertThat(decisions.get(0).decision().toEvent("student").getChallengerOnlyCorrect()).isEqualTo(4L);
  }

  @Test
  void shouldCountAGoldOnlyTurnInTheGoldTableAloneAtWeightOne() {
    // Given a weighted turn the teacher scored, with gold, and a gold-only turn
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(100, 1, 0.0, 0.01, 0, true));
    PairedTurn scored = new PairedTurn("chal-2", "champ-1", true, false, true, true, false, 1, null, false, false,
        true, 4.0);
    PairedTurn goldOnly = new PairedTurn("chal-2", "champ-1", false, false, true, false, true, 2, null, false, false,
        false, 1.0);

    // When
    PromotionState state = policy.observe(policy.observe(PromotionState.INITIAL, scored).state(), goldOnly).state();

    // Then the teacher table holds the scored turn at its weight; the gold table both turns at weight 1
    assertThat(state.teacher()).isEqualTo(new PairedTally(1, 1, 0, 1, 0, 4, 4, 0, 4, 0, 16));
    assertThat(state.gold()).isEqualTo(new PairedTally(2, 1, 1, 1, 1));
  }

  @Test
  void shouldPromoteATrulyBetterChallengerOnSeededNoise() {
    // Given a challenger right 90% of the time, a champion right 75%, independently
    PromotionPolicy policy = new PromotionPolicy(PromotionSettings.defaults());
    Random random = new Random(7);
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      turns.add(paired("chal-1", "champ-1", random.nextDouble() < 0.90, random.nextDouble() < 0.75, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: the first decision is a promotion, taken at a look, on significant evidence
    assertThat(decisions).isNotEmpty();
    Decided first = decisions.get(0);
    assertThat(first.decision().kind()).isEqualTo(Decision.Kind.PROMOTE);
    assertThat(first.turn() % 200).isZero();
    assertThat(first.turn()).isLessThanOrEqualTo(600);
    PairedTally evidence = first.decision().evidence();
    assertThat(evidence.challengerScore() - evidence.championScore()).isGreaterThanOrEqualTo(0.02);
    int look = first.turn() / 200;
    assertThat(first.decision().pValue()).isLessThan(policy.threshold(look));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void shouldNeverPromoteAnEqualChallengerOverALongStreamOfNoise(long seed) {
    // Given 20,000 paired turns, both models right 80% of the time, independently
    PromotionPolicy policy = new PromotionPolicy(PromotionSettings.defaults());
    Random random = new Random(seed);
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      turns.add(paired("chal-1", "champ-1", random.nextDouble() < 0.8, random.nextDouble() < 0.8, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: one HOLD per 200-turn look and not a single promotion
    assertThat(decisions).hasSize(100);
    assertThat(decisions).extracting(d -> d.decision().kind()).containsOnly(Decision.Kind.HOLD);
    assertThat(decisions).extracting(Decided::turn)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 100).map(k -> 200 * k).boxed().toList());
  }

  @Test
  void shouldTakeNoDecisionDuringTheCooldownAndCountAfreshAfterIt() {
    // Given looks every 10 pairs, a 25-turn cooldown, and a challenger always right against a
    // champion always wrong (the trainer never swaps the champion in)
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 25, true));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 60; i++) {
      turns.add(paired("chal-" + i, "champ-1", true, false, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: promoted at turn 10; turns 11-35 are the cooldown; turns 36-45 make the next look
    assertThat(decisions).extracting(Decided::turn, d -> d.decision().kind(), d -> d.decision().toVersion(),
            d -> d.decision().evidence())
        .containsExactly(
            tuple(10, Decision.Kind.PROMOTE, "chal-10", new PairedTally(10, 10, 0, 10, 0)),
            tuple(45, Decision.Kind.PROMOTE, "chal-45", new PairedTally(10, 10, 0, 10, 0)));
  }

  @Test
  void shouldWaitForTheTrainerToServeTheNewChampionInsteadOfPromotingAgain() {
    // Given looks every 10 pairs, a 25-turn cooldown, a 100-turn wait for the switch, and a
    // challenger always right against a champion always wrong; the trainer serves chal-10 from turn 80
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 25, true, 0.0, 100));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 79; i++) {
      turns.add(paired("chal-" + i, "champ-1", true, false, i));
    }
    for (int i = 80; i <= 99; i++) {
      turns.add(paired("chal-" + i, "chal-10", false, false, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: one PROMOTE at turn 10; turns 11-35 are the cooldown, 36-79 await the switch (they would
    // have promoted again at 45), and turns 80-89 make the first look against chal-10: a HOLD at 89
    assertThat(decisions).extracting(Decided::turn, d -> d.decision().kind(), d -> d.decision().fromVersion())
        .containsExactly(tuple(10, Decision.Kind.PROMOTE, "champ-1"), tuple(89, Decision.Kind.HOLD, "chal-10"),
            tuple(99, Decision.Kind.HOLD, "chal-10"));
    assertThat(decisions.get(1).decision().evidence().pairs()).isEqualTo(10);
  }

  @Test
  void shouldDecideAgainWhenTheTrainerDoesNotSwitchWithinTheWait() {
    // Given the same, with a 20-turn wait, and a trainer that never serves the new champion
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 25, true, 0.0, 20));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 80; i++) {
      turns.add(paired("chal-" + i, "champ-1", true, false, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: promoted at 10; cooldown 11-35; wait 36-55; turns 56-65 are the next look, which
    // promotes again (a trainer that missed the first decision gets it anew); then the same cycle
    assertThat(decisions).extracting(Decided::turn, d -> d.decision().kind(), d -> d.decision().toVersion())
        .containsExactly(tuple(10, Decision.Kind.PROMOTE, "chal-10"), tuple(65, Decision.Kind.PROMOTE, "chal-65"));
  }

  @Test
  void shouldNotWaitAgainOnceTheTrainerHasServedTheNewChampion() {
    // Given a 100-turn wait; the trainer serves chal-10 at turn 36 and goes back to champ-1 at turn 46
    // (a restart from an older checkpoint), where the challenger is again always right
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 25, true, 0.0, 100));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 35; i++) {
      turns.add(paired("chal-" + i, "champ-1", true, false, i));
    }
    for (int i = 36; i <= 45; i++) {
      turns.add(paired("chal-" + i, "chal-10", false, false, i));
    }
    for (int i = 46; i <= 55; i++) {
      turns.add(paired("chal-" + i, "champ-1", true, false, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: the look at 45 holds against chal-10; turns 46-55 count against champ-1 at once
    assertThat(decisions).extracting(Decided::turn, d -> d.decision().kind(), d -> d.decision().fromVersion())
        .containsExactly(tuple(10, Decision.Kind.PROMOTE, "champ-1"), tuple(45, Decision.Kind.HOLD, "chal-10"),
            tuple(55, Decision.Kind.PROMOTE, "champ-1"));
  }

  @Test
  void shouldCompareAgainstTheNewChampionOnceTheTrainerServesIt() {
    // Given a promotion at turn 10, after which the trainer serves chal-1 as champion and the
    // challenger is no better than it
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 5, true));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      turns.add(paired("chal-1", "champ-1", true, false, i));
    }
    for (int i = 11; i <= 25; i++) {
      turns.add(paired("chal-2", "chal-1", true, true, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: the cooldown eats turns 11-15, turns 16-25 are the first look against chal-1
    assertThat(decisions).containsExactly(
        new Decided(10, new Decision(Decision.Kind.PROMOTE, Decision.Comparison.CHALLENGER, "champ-1", "chal-1", 10,
            DecisionMetric.TEACHER, new PairedTally(10, 10, 0, 10, 0), PairedTally.EMPTY, 1.0 / 1024, 1, 0.01 / 2,
            0.02,
            "challenger is better: teacher agreement on 10 pairs: challenger 1.0000 vs champion 0.0000"
                + " (delta +1.0000), b=10 c=0, p=0.000977; look 1 needs p < 0.00500 and delta >= 0.0200")),
        new Decided(25, new Decision(Decision.Kind.HOLD, Decision.Comparison.CHALLENGER, "chal-1", "chal-2", 25,
            DecisionMetric.TEACHER, new PairedTally(10, 10, 10, 0, 0), PairedTally.EMPTY, 1.0, 1, 0.01 / 2, 0.02,
            "delta below margin and not significant: teacher agreement on 10 pairs: challenger 1.0000 vs champion"
                + " 1.0000 (delta +0.0000), b=0 c=0, p=1.00; look 1 needs p < 0.00500 and delta >= 0.0200")));
  }

  @Test
  void shouldRestartTheCountWhenTheChampionChanges() {
    // Given 5 turns against champ-1, then 10 against champ-2
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 0, true));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 15; i++) {
      turns.add(paired("chal-1", i <= 5 ? "champ-1" : "champ-2", true, false, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: no look at turn 10 (only 5 pairs against champ-2), the first at turn 15
    assertThat(decisions).extracting(Decided::turn, d -> d.decision().fromVersion(), d -> d.decision().evidence())
        .containsExactly(tuple(15, "champ-2", new PairedTally(10, 10, 0, 10, 0)));
  }

  @Test
  void shouldBootstrapTheFirstChampionOnceWhenThereIsNone() {
    // Given 40 turns with only a challenger, right on 7 of the first 10, checkpointing at turn 8
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 5, true));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      turns.add(paired(i < 8 ? "chal-1" : "chal-2", null, i % 10 < 7, false, 1_000L * i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: one promotion from nothing at turn 10, never repeated while no champion serves
    assertThat(decisions).containsExactly(new Decided(10, new Decision(Decision.Kind.PROMOTE,
        Decision.Comparison.CHALLENGER, null, "chal-2", 10_000L, DecisionMetric.TEACHER, new PairedTally(10, 7, 0, 7, 0),
        PairedTally.EMPTY, null, null, null, null,
        "bootstrap: no champion yet; challenger chal-2 right on 7 of 10 turns (teacher agreement)")));
  }

  @Test
  void shouldDecideOnGoldWhenEnoughGoldPairsExist() {
    // Given 20 gold-labelled turns: both always agree with the teacher, but only the
    // challenger is always right on gold (the champion on half)
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(20, 10, 0.02, 0.01, 0, true));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      turns.add(pairedWithGold("chal-1", "champ-1", true, true, true, i % 2 == 0, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: decided on gold accuracy, where the challenger is better
    assertThat(decisions).extracting(d -> d.decision().kind(), d -> d.decision().metric(),
            d -> d.decision().evidence(), d -> d.decision().pValue())
        .containsExactly(tuple(Decision.Kind.PROMOTE, DecisionMetric.GOLD, new PairedTally(20, 20, 10, 10, 0),
            1.0 / 1024));
  }

  @Test
  void shouldDecideOnTeacherAgreementWhileGoldPairsAreFew() {
    // Given the same turns as above but a gold minimum of 50 pairs
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(20, 50, 0.02, 0.01, 0, true));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      turns.add(pairedWithGold("chal-1", "champ-1", true, true, true, i % 2 == 0, i));
    }

    // When / Then: teacher agreement is a tie, so the policy holds
    assertThat(run(policy, turns)).extracting(d -> d.decision().kind(), d -> d.decision().metric(),
            d -> d.decision().evidence())
        .containsExactly(tuple(Decision.Kind.HOLD, DecisionMetric.TEACHER, new PairedTally(20, 20, 20, 0, 0)));
  }

  @Test
  void shouldHoldASignificantButSmallerThanMarginImprovement() {
    // Given 2000 pairs where the challenger wins 30 discordant pairs and the champion 5:
    // significant (p = 1.1e-5) but only 1.25 points better, below the 2-point margin
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(2_000, 100, 0.02, 0.01, 0, true));
    // (the first 30 turns challenger-only, the next 5 champion-only, the rest both right)
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      boolean challengerOnly = i < 30;
      boolean championOnly = i >= 30 && i < 35;
      turns.add(paired("chal-1", "champ-1", !championOnly, !challengerOnly, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then
    assertThat(decisions).extracting(d -> d.decision().kind(), d -> d.decision().evidence(), d -> d.decision().reason())
        .containsExactly(tuple(Decision.Kind.HOLD, new PairedTally(2_000, 1_995, 1_970, 30, 5),
            "delta below margin: teacher agreement on 2000 pairs: challenger 0.9975 vs champion 0.9850"
                + " (delta +0.0125), b=30 c=5, p=1.12e-05; look 1 needs p < 0.00500 and delta >= 0.0200"));
  }

  @Test
  void shouldSpendAlphaOverLooks() {
    PromotionPolicy policy = new PromotionPolicy(PromotionSettings.defaults());
    assertThat(List.of(policy.threshold(1), policy.threshold(2), policy.threshold(3)))
        .containsExactly(0.01 / 2, 0.01 / 6, 0.01 / 12);
  }

  @Test
  void shouldEmitNothingBetweenLooksWhenHoldEventsAreOff() {
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 0, false));
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      turns.add(paired("chal-1", "champ-1", true, true, i));
    }
    assertThat(run(policy, turns)).isEmpty();
  }

  /** A turn after a promotion: the trainer predicts with challenger, champion and previous champion. */
  private static PairedTurn watched(String challenger, String champion, String previous, boolean challengerRight,
      boolean championRight, boolean previousRight, long eventTimeMs) {
    return new PairedTurn(challenger, champion, challengerRight, championRight, false, false, false, eventTimeMs,
        previous, previousRight, false);
  }

  /** Turns 1-10 in which chal-1 beats champ-1 on every turn: promoted at turn 10 (looks every 10 pairs). */
  private static List<PairedTurn> promotionOfChal1OverChamp1() {
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      turns.add(paired("chal-1", "champ-1", true, false, i));
    }
    return turns;
  }

  @Test
  void shouldRollBackAChampionSignificantlyWorseThanTheOneItReplacedWithItsEvidence() {
    // Given chal-1 promoted over champ-1 at turn 10; then the trainer serves chal-1 with champ-1
    // on standby, and champ-1 is right on the 10 watched turns where chal-1 is wrong
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 0, true));
    List<PairedTurn> turns = promotionOfChal1OverChamp1();
    for (int i = 11; i <= 20; i++) {
      turns.add(watched("chal-2", "chal-1", "champ-1", false, false, true, i));
    }
    // and afterwards the trainer serves champ-1 again, without a standby model
    for (int i = 21; i <= 30; i++) {
      turns.add(paired("chal-2", "champ-1", true, true, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: ROLLBACK chal-1 -> champ-1 at the watch's first look: b = 10 turns only champ-1 got
    // right, c = 0, p = 2^-10 < 0.01 / 2; it ends turn 20 (no promotion look); then a fresh
    // comparison of chal-2 against the restored champ-1, and no more watching
    assertThat(decisions).extracting(Decided::turn, d -> d.decision().kind(), d -> d.decision().fromVersion(),
            d -> d.decision().toVersion())
        .containsExactly(
            tuple(10, Decision.Kind.PROMOTE, "champ-1", "chal-1"),
            tuple(20, Decision.Kind.ROLLBACK, "chal-1", "champ-1"),
            tuple(30, Decision.Kind.HOLD, "champ-1", "chal-2"));
    assertThat(decisions.get(1).decision()).isEqualTo(new Decision(Decision.Kind.ROLLBACK,
        Decision.Comparison.PREVIOUS, "chal-1", "champ-1", 20, DecisionMetric.TEACHER,
        new PairedTally(10, 10, 0, 10, 0), PairedTally.EMPTY, 1.0 / 1024, 1, 0.01 / 2, 0.0,
        "champion is worse than the model it replaced: teacher agreement on 10 pairs: previous champ-1 1.0000 vs"
            + " champion chal-1 0.0000 (delta +1.0000), b=10 c=0, p=0.000977; look 1 needs p < 0.00500 and"
            + " delta >= 0.0000"));
    assertThat(decisions.get(2).decision().comparison()).isEqualTo(Decision.Comparison.CHALLENGER);
  }

  @Test
  void shouldPublishTheWatchHoldBeforeThePromotionLookOfTheSameTurn() {
    // Given chal-1 promoted over champ-1 at turn 10; then chal-1 is right on every watched turn,
    // champ-1 on half of them, and challenger chal-2 is as good as chal-1
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 0, true));
    List<PairedTurn> turns = promotionOfChal1OverChamp1();
    for (int i = 11; i <= 20; i++) {
      turns.add(watched("chal-2", "chal-1", "champ-1", true, true, i % 2 == 0, i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: at turn 20 both comparisons look, the rollback watch first, and both hold
    assertThat(decisions.subList(1, decisions.size())).containsExactly(
        new Decided(20, new Decision(Decision.Kind.HOLD, Decision.Comparison.PREVIOUS, "chal-1", "champ-1", 20,
            DecisionMetric.TEACHER, new PairedTally(10, 5, 10, 0, 5), PairedTally.EMPTY, 1.0, 1, 0.01 / 2, 0.0,
            "champion kept, delta below rollback margin and not significant: teacher agreement on 10 pairs:"
                + " previous champ-1 0.5000 vs champion chal-1 1.0000 (delta -0.5000), b=0 c=5, p=1.00; look 1"
                + " needs p < 0.00500 and delta >= 0.0000")),
        new Decided(20, new Decision(Decision.Kind.HOLD, Decision.Comparison.CHALLENGER, "chal-1", "chal-2", 20,
            DecisionMetric.TEACHER, new PairedTally(10, 10, 10, 0, 0), PairedTally.EMPTY, 1.0, 1, 0.01 / 2, 0.02,
            "delta below margin and not significant: teacher agreement on 10 pairs: challenger 1.0000 vs champion"
                + " 1.0000 (delta +0.0000), b=0 c=0, p=1.00; look 1 needs p < 0.00500 and delta >= 0.0200")));
  }

  @Test
  void shouldRollBackATrulyDegradedChampionOnSeededNoise() {
    // Given chal-1 promoted over champ-1 (defaults: looks every 200 pairs, cooldown 200 turns),
    // after which chal-1 is right 70% of the time and champ-1, on standby, 85%, independently
    PromotionPolicy policy = new PromotionPolicy(PromotionSettings.defaults());
    Random random = new Random(11);
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      turns.add(paired("chal-1", "champ-1", true, false, i));
    }
    for (int i = 0; i < 2_200; i++) {
      turns.add(watched("chal-2", "chal-1", "champ-1", random.nextDouble() < 0.70, random.nextDouble() < 0.70,
          random.nextDouble() < 0.85, 200 + i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: promoted, then rolled back at a look of the watch on significant evidence
    assertThat(decisions).extracting(d -> d.decision().kind()).contains(Decision.Kind.ROLLBACK);
    Decided rollback = decisions.stream().filter(d -> d.decision().kind() == Decision.Kind.ROLLBACK).findFirst()
        .orElseThrow();
    assertThat(decisions).filteredOn(d -> d.decision().kind() == Decision.Kind.PROMOTE).extracting(Decided::turn)
        .containsExactly(200);
    int watchedTurns = rollback.turn() - 400; // promotion at 200, cooldown 201-400
    assertThat(watchedTurns % 200).isZero();
    assertThat(watchedTurns).isLessThanOrEqualTo(1_000);
    Decision decision = rollback.decision();
    assertThat(decision.fromVersion()).isEqualTo("chal-1");
    assertThat(decision.toVersion()).isEqualTo("champ-1");
    assertThat(decision.evidence().pairs()).isEqualTo(watchedTurns);
    assertThat(decision.look()).isEqualTo(watchedTurns / 200);
    assertThat(decision.evidence().challengerScore() - decision.evidence().championScore()).isPositive();
    assertThat(decision.pValue()).isLessThan(policy.threshold(decision.look()));
    assertThat(decision.pValue()).isEqualTo(McNemarExactTest.oneSidedPValue(
        decision.evidence().challengerOnlyCorrect(), decision.evidence().championOnlyCorrect()));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void shouldNeitherPromoteNorRollBackEqualModelsOverALongStreamOfNoise(long seed) {
    // Given chal-1 promoted over champ-1 at turn 200; then 20,000 turns on which challenger,
    // champion and the previous champion are each right 80% of the time, independently
    PromotionPolicy policy = new PromotionPolicy(PromotionSettings.defaults());
    Random random = new Random(seed);
    List<PairedTurn> turns = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      turns.add(paired("chal-1", "champ-1", true, false, i));
    }
    for (int i = 0; i < 20_200; i++) { // 200 turns of cooldown, then 20,000 counted
      turns.add(watched("chal-2", "chal-1", "champ-1", random.nextDouble() < 0.8, random.nextDouble() < 0.8,
          random.nextDouble() < 0.8, 200 + i));
    }

    // When
    List<Decided> decisions = run(policy, turns);

    // Then: the one promotion, then at every 200-pair look one HOLD per comparison, no flapping
    assertThat(decisions.get(0).decision().kind()).isEqualTo(Decision.Kind.PROMOTE);
    List<Decided> after = decisions.subList(1, decisions.size());
    assertThat(after).hasSize(200);
    assertThat(after).extracting(d -> d.decision().kind()).containsOnly(Decision.Kind.HOLD);
    assertThat(after).filteredOn(d -> d.decision().comparison() == Decision.Comparison.PREVIOUS).hasSize(100);
  }

  @Test
  void shouldNotWatchTurnsWhoseStandbyModelIsNotTheReplacedChampion() {
    // Given chal-1 promoted over champ-1, but the turns carry another standby model
    PromotionPolicy policy = new PromotionPolicy(new PromotionSettings(10, 100, 0.02, 0.01, 0, true));
    List<PairedTurn> turns = promotionOfChal1OverChamp1();
    for (int i = 11; i <= 30; i++) {
      turns.add(watched("chal-2", "chal-1", "champ-0", false, false, true, i));
    }

    // When / Then: no rollback on evidence about a model the promotion did not replace
    assertThat(run(policy, turns)).extracting(d -> d.decision().comparison())
        .doesNotContain(Decision.Comparison.PREVIOUS);
  }
}
