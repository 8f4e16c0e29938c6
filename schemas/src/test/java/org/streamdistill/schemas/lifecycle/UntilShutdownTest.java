package org.streamdistill.schemas.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class UntilShutdownTest {

  @Test
  void shouldReturnTheCommandsExitCodeAndLeaveStopPendingWhileTheJvmRuns() {
    AtomicBoolean stopDoneWhileRunning = new AtomicBoolean(true);

    int code = UntilShutdown.run("test-shutdown", Duration.ofSeconds(1), stop -> {
      stopDoneWhileRunning.set(stop.isDone());
      return 3;
    });

    assertThat(code).isEqualTo(3);
    assertThat(stopDoneWhileRunning).isFalse();
  }
}
