package org.streamdistill.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageSupervisorTest {

  /** A stage that fails with the scripted errors, one per instance, then runs until stopped. */
  static final class ScriptedStage implements Runnable, AutoCloseable {
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

  private StageSupervisor<ScriptedStage> supervisor(List<RuntimeException> failures) {
    return new StageSupervisor<>("trainer", () -> {
      ScriptedStage stage = new ScriptedStage(made.size() < failures.size() ? failures.get(made.size()) : null);
      made.add(stage);
      return stage;
    }, s -> s.stopped = true, e -> e instanceof IllegalArgumentException, replaced::add, Duration.ofMillis(100),
        Duration.ofMillis(250), pauses::add);
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
}
