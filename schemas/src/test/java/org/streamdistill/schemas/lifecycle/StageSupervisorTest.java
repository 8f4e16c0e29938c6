package org.streamdistill.schemas.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageSupervisorTest {

  /** A stage that fails with the scripted errors, one per instance, then runs until stopped. */
  static class ScriptedStage implements Runnable, AutoCloseable {
    final RuntimeException failure;
    volatile boolean stopped;
    boolean closed;

    ScriptedStage(RuntimeException failure) {
      this.failure = failure;
    }

    @Override
    public void run() {
      if (failure != null) {
        throw failure;
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private final List<Long> pauses = new ArrayList<>();
  private final List<ScriptedStage> made = new ArrayList<>();
  private final List<ScriptedStage> replaced = new ArrayList<>();

  private final List<RuntimeException> factoryFailures = new ArrayList<>();
  private long nowMillis;
  /** How long each scripted run takes on the fake clock. */
  private long runMillis;

  private StageSupervisor<ScriptedStage> supervisor(List<RuntimeException> failures) {
    return new StageSupervisor<>("trainer", () -> {
      if (!made.isEmpty() && !factoryFailures.isEmpty()) {
        throw factoryFailures.remove(0);
      }
      RuntimeException failure = made.size() < failures.size() ? failures.get(made.size()) : null;
      ScriptedStage stage = new ScriptedStage(failure) {
        @Override
        public void run() {
          nowMillis += runMillis;
          super.run();
        }
      };
      made.add(stage);
      return stage;
    }, s -> s.stopped = true, e -> e instanceof IllegalArgumentException, replaced::add, Duration.ofMillis(100),
        Duration.ofMillis(250), pauses::add, () -> nowMillis);
  }

  @Test
  void shouldRestartAFailedStageWithGrowingBoundedPausesUntilItRuns() {
    StageSupervisor<ScriptedStage> supervisor = supervisor(List.of(new IllegalStateException("broker gone"),
        new IllegalStateException("again"), new IllegalStateException("and again")));

    supervisor.run();

    assertThat(made).hasSize(4);
    assertThat(replaced).containsExactlyElementsOf(made.subList(0, 3));
    assertThat(replaced).allMatch(s -> s.closed);
    assertThat(pauses).containsExactly(100L, 200L, 250L);
    assertThat(supervisor.restarts()).isEqualTo(3);
    assertThat(supervisor.current()).isSameAs(made.get(3));
  }

  @Test
  void shouldEndWithAFailureThatARestartCannotFix() {
    StageSupervisor<ScriptedStage> supervisor = supervisor(List.of(new IllegalStateException("transient"),
        new IllegalArgumentException("poison as a whole")));

    assertThatThrownBy(supervisor::run).hasMessage("poison as a whole");
    assertThat(made).hasSize(2);
    assertThat(supervisor.restarts()).isEqualTo(1);
  }

  @Test
  void shouldNotRestartAfterStop() {
    StageSupervisor<ScriptedStage> supervisor = supervisor(List.of(new IllegalStateException("failed while stopping")));
    supervisor.stop();

    assertThatThrownBy(supervisor::run).hasMessage("failed while stopping");
    assertThat(made.get(0).stopped).isTrue();
    assertThat(made).hasSize(1);
  }

  @Test
  void shouldRetryMakingTheStageWhenItsFactoryFails() {
    factoryFailures.add(new IllegalStateException("broker unreachable"));
    factoryFailures.add(new IllegalStateException("still unreachable"));
    StageSupervisor<ScriptedStage> supervisor = supervisor(List.of(new IllegalStateException("broker gone")));

    supervisor.run();

    assertThat(made).hasSize(2);
    assertThat(replaced).containsExactly(made.get(0));
    assertThat(pauses).containsExactly(100L, 200L, 250L);
    assertThat(supervisor.restarts()).isEqualTo(3);
    assertThat(supervisor.current()).isSameAs(made.get(1));
  }

  @Test
  void shouldEndWhenTheFactoryFailsInAWayARestartCannotFix() {
    factoryFailures.add(new IllegalArgumentException("bad setting"));
    StageSupervisor<ScriptedStage> supervisor = supervisor(List.of(new IllegalStateException("broker gone")));

    assertThatThrownBy(supervisor::run).hasMessage("bad setting");
    assertThat(made).hasSize(1);
    assertThat(pauses).containsExactly(100L);
  }

  @Test
  void shouldStartThePausesOverAfterARunThatLastedAWhile() {
    runMillis = 250;
    StageSupervisor<ScriptedStage> supervisor = supervisor(List.of(new IllegalStateException("first outage"),
        new IllegalStateException("second outage")));

    supervisor.run();

    assertThat(pauses).containsExactly(100L, 100L);
    assertThat(made).hasSize(3);
  }

  @Test
  void shouldEndAPauseAtOnceWhenStopped() throws Exception {
    StageSupervisor<ScriptedStage> supervisor = new StageSupervisor<>("trainer",
        () -> new ScriptedStage(new IllegalStateException("always fails")), s -> s.stopped = true, e -> false,
        s -> { }, Duration.ofHours(1), Duration.ofHours(1));
    Thread runner = new Thread(supervisor);
    runner.start();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.restarts() == 1);

    supervisor.stop();

    runner.join(Duration.ofSeconds(10).toMillis());
    assertThat(runner.isAlive()).isFalse();
    assertThat(supervisor.restarts()).isEqualTo(1);
  }

  @Test
  void shouldRefuseABackoffThatIsNotPositive() {
    assertThatThrownBy(() -> new StageSupervisor<>("trainer", () -> new ScriptedStage(null), s -> { }, e -> false,
        s -> { }, Duration.ZERO, Duration.ofSeconds(1))).hasMessageContaining("backoff must be positive");
  }
}
