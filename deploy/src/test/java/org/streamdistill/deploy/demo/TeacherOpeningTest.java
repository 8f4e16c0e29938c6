package org.streamdistill.deploy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TeacherOpeningTest {

  @Test
  void shouldBeOpenOnceEverySubtaskOfThisJobCountsOverWhatWasOpenBefore() {
    // Given another job's subtask already open in this JVM, and a job of 2 subtasks submitted
    AtomicLong open = new AtomicLong(1);
    AtomicLong failures = new AtomicLong(5);
    TeacherOpening opening = new TeacherOpening(open::get, failures::get, 2);

    // When one of its subtasks opens, then the other
    open.set(2);
    boolean afterOne = opening.done();
    open.set(3);

    // Then it is open only after the second, and the earlier failures are not its own
    assertThat(afterOne).isFalse();
    assertThat(opening.done()).isTrue();
    assertThat(opening.failures()).isZero();
  }

  @Test
  void shouldGiveUpOnATeacherOnlyAfterThreeFailedAttemptsOfEverySubtaskAndNotOnceItHasOpened() {
    AtomicLong open = new AtomicLong(0);
    AtomicLong failures = new AtomicLong(0);
    TeacherOpening opening = new TeacherOpening(open::get, failures::get, 2);

    // a slow start, then two attempts in which both subtasks failed to open, and one more failure: still waiting
    assertThat(opening.cannotOpen()).isFalse();
    failures.set(5);
    assertThat(opening.cannotOpen()).isFalse();
    // a sixth: three attempts' worth, a teacher that cannot open
    failures.set(6);
    assertThat(opening.failures()).isEqualTo(6);
    assertThat(opening.cannotOpen()).isTrue();
    // had it opened after all, it would be open, not given up on
    open.set(2);
    assertThat(opening.cannotOpen()).isFalse();
  }
}
