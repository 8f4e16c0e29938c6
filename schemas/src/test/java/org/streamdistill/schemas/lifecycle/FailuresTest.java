package org.streamdistill.schemas.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void shouldRestartAfterTimeoutsAndOtherTransientFailures() {
    assertThat(Failures.restartCannotFix(new TimeoutException("Timeout expired after 60000ms"))).isFalse();
    assertThat(Failures.restartCannotFix(new KafkaException("send failed", new TimeoutException("expired"))))
        .isFalse();
    assertThat(Failures.restartCannotFix(new IllegalStateException("topic teacher.soft-labels does not exist")))
        .isFalse();
  }

  @Test
  void shouldNotRestartAfterFencingRefusedCredentialsBadSettingsOrInconsistentState() {
    assertThat(Failures.restartCannotFix(new IllegalStateException("taken over", new ProducerFencedException("x"))))
        .isTrue();
    assertThat(Failures.restartCannotFix(new KafkaException(new SaslAuthenticationException("bad password"))))
        .isTrue();
    assertThat(Failures.restartCannotFix(new TopicAuthorizationException("no ACL"))).isTrue();
    assertThat(Failures.restartCannotFix(new ConfigException("trainer.batch-size", -1, "must be > 0"))).isTrue();
    assertThat(Failures.restartCannotFix(new InconsistentStateException("offsets without checkpoint"))).isTrue();
  }
}
