package org.streamdistill.teacher.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TeacherScoringOperatorTest {

  @ParameterizedTest
  @ValueSource(strings = {"", " ", " \t\r\n ", "\u00a0\u00a0", "\u2003\u2007\u202f", "\u200b\u200d\ufeff", "\u3000"})
  void shouldTreatTextWithoutAVisibleCharacterAsBlank(String text) {
    assertThat(TeacherScoringOperator.isBlank(text)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", " \u00a0ok\u00a0 ", "\u200b?", "\ud83d\ude00", "\u00e9"})
  void shouldNotTreatTextWithAVisibleCharacterAsBlank(String text) {
    assertThat(TeacherScoringOperator.isBlank(text)).isFalse();
  }

  @Test
  void shouldLogUnderItsOwnNameNotUnderFlinksWhichTheLogConfigurationKeepsAtWarn() throws Exception {
    Field log = TeacherScoringOperator.class.getDeclaredField("LOG");
    log.setAccessible(true);
    assertThat(Modifier.isStatic(log.getModifiers())).isTrue();
    assertThat(((org.slf4j.Logger) log.get(null)).getName()).isEqualTo(TeacherScoringOperator.class.getName());
  }
}
