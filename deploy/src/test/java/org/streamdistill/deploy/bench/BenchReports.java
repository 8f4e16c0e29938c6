package org.streamdistill.deploy.bench;

import java.util.List;
import org.streamdistill.deploy.bench.BenchReport.Bar;
import org.streamdistill.deploy.bench.BenchReport.BrokerRate;
import org.streamdistill.deploy.bench.BenchReport.EndToEnd;
import org.streamdistill.deploy.bench.BenchReport.EndToEndRun;
import org.streamdistill.deploy.bench.BenchReport.Quality;
import org.streamdistill.deploy.bench.BenchReport.QualityRow;
import org.streamdistill.deploy.bench.BenchReport.Round;
import org.streamdistill.deploy.bench.BenchReport.Scale;
import org.streamdistill.deploy.bench.BenchReport.ScalePoint;
import org.streamdistill.deploy.bench.BenchReport.Serving;
import org.streamdistill.deploy.bench.BenchReport.StudentTraining;
import org.streamdistill.deploy.bench.BenchReport.TeacherBound;

/** A fixed, made-up {@link BenchReport} for the format tests: no figure here was measured. */
final class BenchReports {

  private BenchReports() {}

  static final Machine MACHINE = new Machine(2, 25_769_803_776L, "17.0.15", "OpenJDK 64-Bit Server VM",
      "Linux 6.1.0 amd64", "0.50 0.40 0.30", "0.70 0.50 0.35");

  static Percentiles millis(double p50, double p95, double p99) {
    return new Percentiles(100, p50, p50, p95, p99, p99 + 1);
  }

  static BenchReport fixed() {
    List<Round> rounds = List.of(new Round("raw, job", 300.0, 255.0, 270.0, 21.57, 180.0, 0.85),
        new Round("job, raw", 310.0, 250.0, 265.0, 22.0, 1_250.0, 0.806),
        new Round("raw, job", 290.0, 260.0, 275.0, 21.2, 90.0, 0.897));
    TeacherBound bound = new TeacherBound("minilm-l6-head-abc", 5_500, 32, 50, 1, 2, 2_000, 170.0, 300.0, 255.0,
        270.0, 0, 0.85, rounds, "everything");
    StudentTraining training = new StudentTraining("TextCNN", 32, 3_000, 10.0, 300.0, 9_600.0, 5_000.0, 300.0, 32.0);
    Serving serving = new Serving(1_000, millis(5.0, 7.0, 9.0), millis(0.125, 0.2, 0.3), millis(0.06, 0.1, 0.2),
        40.0, 30.0);
    EndToEnd e2e = new EndToEnd(255.0, 127.5, 10, 60, 1_000, List.of(
        new EndToEndRun(500, 7_650, 127.5, millis(60, 120, 200), millis(400, 700, 900), millis(410, 710, 910),
            millis(420, 720, 920)),
        new EndToEndRun(2_000, 7_650, 127.4, millis(61, 121, 201), millis(1_100, 2_000, 2_300),
            millis(1_110, 2_010, 2_310), millis(1_120, 2_020, 2_320))));
    Scale scale = new Scale(
        List.of(new ScalePoint(1, 2, 300.0, 255.0, 0.85, rounds), new ScalePoint(2, 1, 320.0, 280.0, 0.875,
            List.of(new Round("raw, job", 320.0, 280.0, 290.0, 19.6, 300.0, 0.875)))),
        new BrokerRate(50_000, 133, 60_000, 140_000, 780, 20_000, 120_000));
    Quality quality = new Quality("a short online run", 0.9, 40.0, List.of(
        new QualityRow("teacher", "this run, online", 0.95, 4_500L, 1.0, 5.0, 1.0, 22_624_023L, 90_623_667L),
        new QualityRow("student", "this run, online", 0.855, 4_500L, 0.9, 0.125, 40.0, 2_031_895L, 8_132_177L),
        new QualityRow("TextCNN, trained offline on every gold label", "published reference (issue 7)", 0.944, null,
            null, null, null, null, null)));
    List<Bar> bars = List.of(Bar.atLeast("in-pipeline / raw teacher throughput (issue 3)", 0.85, 0.8),
        Bar.atLeast("student turns learned / teacher turns scored (issue 7)", 32.0, 5),
        Bar.atLeast("student serving speed-up, p50 (issue 4)", 40.0, 20),
        Bar.atLeast("made-up bar that is missed", 0.5, 1));
    java.util.Map<String, String> loads = new java.util.LinkedHashMap<>();
    loads.put("raw teacher", "0.50 0.40 0.30");
    loads.put("job p1", "1.25 0.50 0.31");
    return new BenchReport("2026-11-29T07:00:00Z", "bin/streamdistill bench --quick", "quick", MACHINE, loads, 321.4,
        bound,
        training, serving, e2e, scale, quality, bars, List.of("a note"));
  }
}
