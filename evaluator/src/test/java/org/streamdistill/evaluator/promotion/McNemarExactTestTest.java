package org.streamdistill.evaluator.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class McNemarExactTestTest {

  @ParameterizedTest(name = "b={0} c={1} -> {2}/{3}")
  @CsvSource({
      // b, c, numerator, denominator: P(X >= b), X ~ Bin(b + c, 1/2), tails summed by hand
      "5, 0, 1, 32",          // C(5,5) / 2^5
      "8, 2, 56, 1024",       // (C(10,8) + C(10,9) + C(10,10)) / 2^10 = (45 + 10 + 1) / 1024
      "12, 1, 14, 8192",      // (C(13,12) + C(13,13)) / 2^13 = (13 + 1) / 8192
      "2, 1, 4, 8",           // (C(3,2) + C(3,3)) / 2^3 = (3 + 1) / 8
      "3, 3, 42, 64",         // (C(6,3) + C(6,4) + C(6,5) + C(6,6)) / 2^6 = (20 + 15 + 6 + 1) / 64
      "10, 0, 1, 1024",       // C(10,10) / 2^10
      "1, 0, 1, 2",           // one discordant pair, won by the challenger
      "4, 1, 6, 32"           // (C(5,4) + C(5,5)) / 2^5 = (5 + 1) / 32
  })
  void shouldMatchHandComputedBinomialTails(long b, long c, long numerator, long denominator) {
    // Power-of-two denominators are exact in binary, and the small-n path rounds only once
    assertThat(McNemarExactTest.oneSidedPValue(b, c)).isEqualTo((double) numerator / denominator);
  }

  @Test
  void shouldBeOneWithoutDiscordantPairsOrWhenTheChallengerWinsNone() {
    assertThat(McNemarExactTest.oneSidedPValue(0, 0)).isEqualTo(1.0);
    assertThat(McNemarExactTest.oneSidedPValue(0, 7)).isEqualTo(1.0);
  }

  @Test
  void shouldBeCorrectlyRoundedUpToTheExactLimit() {
    // Given 1000 discordant pairs, the largest count summed exactly
    long b = 530;
    long c = 470;

    // When / Then: within one ulp of the exact rational tail
    double exact = exactTail(b, c);
    assertThat(McNemarExactTest.oneSidedPValue(b, c)).isCloseTo(exact, within(Math.ulp(exact)));
  }

  @Test
  void shouldStayAccurateBeyondWhereTwoToTheNUnderflows() {
    // Given n = 2400 discordant pairs: 2^-2400 is far below the smallest double
    long b = 1260;
    long c = 1140;

    // When / Then: equal to the exact rational tail to nine significant digits
    double exact = exactTail(b, c);
    assertThat(McNemarExactTest.oneSidedPValue(b, c)).isCloseTo(exact, within(exact * 1e-9));
  }

  @Test
  void shouldGiveTwiceTheSmallerTailAsTheTwoSidedPValueWhicheverModelWins() {
    // 10 against 3 discordant pairs: 2 (C(13,10) + C(13,11) + C(13,12) + C(13,13)) / 2^13 = 756 / 8192
    assertThat(McNemarExactTest.twoSidedPValue(10, 3)).isEqualTo(756.0 / 8192.0);
    assertThat(McNemarExactTest.twoSidedPValue(3, 10)).isEqualTo(756.0 / 8192.0);
    assertThat(McNemarExactTest.twoSidedPValue(4, 4)).isEqualTo(1.0);
    assertThat(McNemarExactTest.twoSidedPValue(0, 0)).isEqualTo(1.0);
    assertThat(McNemarExactTest.twoSidedPValue(5, 4)).isEqualTo(1.0); // 2 x 0.5 would exceed 1
  }

  @Test
  void shouldRejectNegativeCounts() {
    assertThatThrownBy(() -> McNemarExactTest.oneSidedPValue(-1, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("discordant counts must be >= 0, got b=-1, c=3");
  }

  private static double exactTail(long b, long c) {
    int n = (int) (b + c);
    BigInteger sum = BigInteger.ZERO;
    BigInteger coefficient = BigInteger.ONE; // C(n, 0)
    for (int i = 0; i <= n; i++) {
      if (i >= b) {
        sum = sum.add(coefficient);
      }
      coefficient = coefficient.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1L));
    }
    return new BigDecimal(sum).divide(new BigDecimal(BigInteger.TWO.pow(n)), MathContext.DECIMAL128).doubleValue();
  }
}
