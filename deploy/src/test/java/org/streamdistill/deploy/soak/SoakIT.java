package org.streamdistill.deploy.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.dataset.Clinc150;
import org.streamdistill.deploy.teacher.SmallTeacherBundle;

/**
 * The seeded short soak that CI runs: every stage in its own process against a broker process,
 * live turns, and a fault every 10 s (10 faults, every kind once; the broker is frozen for 20 s,
 * not the 90 s of a long soak; faults may overlap the recovery from the one before), then the count
 * from the topics. The soak exits 0 only when no valid turn was lost or duplicated, every bad
 * input was refused or dead-lettered, every fault was recovered from and every group caught up.
 */
class SoakIT {

  @TempDir
  static Path dir;

  @Test
  void shouldLoseAndDuplicateNothingAcrossASeededScheduleOfEveryKindOfFault() throws Exception {
    // Given a small fitted teacher (three utterances per label: the soak needs a real teacher, not a good one)
    Path data = SmallTeacherBundle.clinc150Path();
    Path bundle = dir.resolve("teacher");
    SmallTeacherBundle.fitAndSave(Clinc150.read(data), data, 3, bundle);
    Path report = dir.resolve("RELIABILITY.md");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

    // When the soak runs for 105 s of faults, one every 10 s (every kind once), seed 3
    int code = SoakCommand.run(List.of("--minutes", "1.75", "--seed", "3", "--soak.fault-interval-ms", "10000",
        "--rate", "15", "--soak.teacher.bundle", bundle.toString(), "--data", data.toString(),
        "--work-dir", dir.resolve("soak").toString(), "--soak.settle-ms", "180000",
        "--soak.report", report.toString(), "--soak.broker-pause-ms", "20000",
        // C1 only: less CPU in six short-lived JVMs on 2 cores (see LocalClusterFailuresIT.QUICK_JIT)
        "--soak.jvm.flags", "-XX:TieredStopAtLevel=1"), out, out);

    // Then it passed, with every kind of fault injected at least once, and said so in its report
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(code).as("soak exit code; its output:%n%s", text).isZero();
    String written = Files.readString(report);
    assertThat(written).contains(": passed").contains("Problems: none");
    for (Fault fault : Fault.values()) {
      assertThat(written).as("report row of %s", fault).contains("| " + fault.description() + " | ");
    }
    // (10 are planned, one round: a round always completes, however much a loaded machine slips)
    assertThat(written).containsPattern("\\| \\*\\*all\\*\\* \\(10 kinds; before the first fault: 0 lost, 0 "
        + "duplicated\\) \\| 10 \\| \\| \\| 0 \\| 0 \\| 0 \\|");
  }
}
