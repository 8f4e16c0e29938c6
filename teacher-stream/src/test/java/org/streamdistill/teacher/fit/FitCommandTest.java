package org.streamdistill.teacher.fit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamdistill.teacher.model.EnsembleBundle;
import org.streamdistill.teacher.model.TeacherBundle;

class FitCommandTest {

  /** A CLINC150-shaped corpus small enough to embed in a second: two intents plus oos. */
  private static final String TINY_CORPUS = """
      {
        "train": [["will it rain today", "weather"], ["what's the forecast for tomorrow", "weather"],
                  ["is it going to be sunny", "weather"], ["send 20 dollars to mom", "transfer"],
                  ["move money into my savings", "transfer"], ["transfer funds to checking", "transfer"]],
        "oos_train": [["who won the world cup", "oos"], ["how tall is mount everest", "oos"]],
        "val": [["do i need an umbrella", "weather"], ["wire cash to my brother", "transfer"]],
        "oos_val": [["what is the capital of peru", "oos"]],
        "test": [["how hot will it be this afternoon", "weather"], ["pay my friend 50 dollars", "transfer"]],
        "oos_test": [["who wrote hamlet", "oos"]]
      }
      """;

  @TempDir
  Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void shouldExitWith2AndNameTheFlagAndValueOnOneLineWhenAFlagIsInvalid() {
    int code = run("--epochs", "many");

    assertThat(code).isEqualTo(2);
    assertThat(err()).startsWith("fit: Invalid value many for configuration fit.epochs").hasLineCount(1);
    assertThat(out()).isEmpty();
  }

  @Test
  void shouldExitWith2OnAnUnknownFlag() {
    int code = run("--temprature", "3");

    assertThat(code).isEqualTo(2);
    assertThat(err()).startsWith("fit: unknown setting 'temprature'; known settings: [fit.batch-size,")
        .hasLineCount(1);
  }

  @Test
  void shouldPrintTheUsageAndExit0OnHelp() {
    int code = run("--help");

    assertThat(code).isZero();
    assertThat(out()).isEqualTo(FitOptions.usage());
    assertThat(err()).isEmpty();
  }

  @Test
  void shouldExitWith1NamingTheMissingDataFileAndWriteNothing() {
    Path missing = tmp.resolve("no-such.json");
    Path bundle = tmp.resolve("bundle");

    int code = run("--data", missing.toString(), "--out", bundle.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err()).startsWith("fit: cannot read CLINC150 from " + missing + ": NoSuchFileException")
        .endsWith("(pass --data PATH)\n")
        .hasLineCount(1);
    assertThat(bundle).doesNotExist();
  }

  @Test
  void shouldFitEvaluateAndWriteALoadableBundle() throws IOException {
    // Given
    Path data = Files.writeString(tmp.resolve("data_full.json"), TINY_CORPUS);
    Path bundleDir = tmp.resolve("bundle");

    // When
    int code = run("--data", data.toString(), "--out", bundleDir.toString(), "--epochs", "40",
        "--learning-rate", "0.1", "--batch-size", "4", "--threads", "1", "--temperature", "1.5");

    // Then
    assertThat(code).as("exit code; stderr: %s", err()).isZero();
    assertThat(err()).isEmpty();
    List<String> lines = out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("fit: 8 training, 3 calibration, 3 test examples, 3 labels; 1 ONNX Runtime threads");
    assertThat(lines).filteredOn(l -> l.startsWith("epoch ")).hasSize(40);
    assertThat(lines).contains(
        "in-scope test accuracy: 1.0000 (2 examples)",
        "oos test recall:        1.0000 (1 examples)");
    TeacherBundle bundle = TeacherBundle.load(bundleDir);
    assertThat(lines.get(lines.size() - 1)).startsWith("wrote " + bundle.teacherVersion() + " (label set "
        + bundle.labelSetId() + ") to " + bundleDir);
    assertThat(bundle.labels()).containsExactly("transfer", "weather", "oos");
    assertThat(bundle.temperature()).isEqualTo(1.5);
    assertThat(bundle.fit().trainExamples()).isEqualTo(8);
    assertThat(bundle.fit().inScopeTestAccuracy()).isEqualTo(1.0);
    assertThat(bundle.fit().settings()).containsEntry("epochs", "40").containsEntry("learning_rate", "0.1");
  }

  @Test
  void shouldFitAnEnsembleAndReportEachMembersAndTheEnsemblesAccuracyAndCost() throws IOException {
    // Given
    Path data = Files.writeString(tmp.resolve("data_full.json"), TINY_CORPUS);
    Path bundleDir = tmp.resolve("ensemble");

    // When
    int code = run("--data", data.toString(), "--out", bundleDir.toString(), "--epochs", "40",
        "--learning-rate", "0.1", "--batch-size", "4", "--threads", "1", "--encoders", "minilm-l6,minilm-l6-q",
        "--ensemble-weights", "3,1");

    // Then
    assertThat(code).as("exit code; stderr: %s", err()).isZero();
    List<String> lines = out().lines().toList();
    assertThat(lines).contains("member 1/2: minilm-l6 (all-minilm-l6-v2@1.19.0-beta29)",
        "member 2/2: minilm-l6-q (all-minilm-l6-v2-q@1.19.0-beta29)", "minilm-l6:", "minilm-l6-q:", "ensemble:");
    assertThat(lines).filteredOn(l -> l.startsWith("scoring cost:")).hasSize(3)
        .allMatch(l -> l.contains("turns/s (3 test turns in order, batches of 32, 1 ONNX Runtime threads)"));
    EnsembleBundle bundle = EnsembleBundle.load(bundleDir);
    assertThat(bundle.teacherVersion()).startsWith("ensemble-minilm-l6+minilm-l6-q-");
    assertThat(bundle.weights()).containsExactly(0.75, 0.25);
    assertThat(bundle.fit().inScopeTestAccuracy()).isEqualTo(1.0);
    assertThat(bundle.fit().scoringTurnsPerSecond()).isPositive();
    assertThat(bundle.members()).allSatisfy(member -> {
      assertThat(member.fit().inScopeTestAccuracy()).isEqualTo(1.0);
      assertThat(member.fit().scoringTurnsPerSecond()).isPositive();
    });
    // the table: a header, one row per member, the ensemble
    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("teacher ")).findFirst().orElseThrow());
    assertThat(lines.get(header)).matches("teacher +weight +val +test +oos recall +turns/s +x first");
    assertThat(lines.get(header + 1)).matches("minilm-l6 +0\\.750 +1\\.0000 +1\\.0000 +1\\.0000 +\\d+ +1\\.00");
    assertThat(lines.get(header + 2)).matches("minilm-l6-q +0\\.250 +1\\.0000 +1\\.0000 +1\\.0000 +\\d+ +\\d+\\.\\d\\d");
    assertThat(lines.get(header + 3)).matches("ensemble +1\\.0000 +1\\.0000 +1\\.0000 +\\d+ +\\d+\\.\\d\\d");
    assertThat(lines.get(lines.size() - 1)).startsWith("wrote " + bundle.teacherVersion());
  }

  @Test
  void shouldSayTheCostWasNotTimedInsteadOfPrintingNaNWithCostTurnsZero() throws IOException {
    // Given an ensemble fitted without timing its scoring
    Path data = Files.writeString(tmp.resolve("data_full.json"), TINY_CORPUS);

    int code = run("--data", data.toString(), "--out", tmp.resolve("untimed").toString(), "--epochs", "5",
        "--threads", "1", "--encoders", "minilm-l6,minilm-l6-q", "--cost-turns", "0");

    // Then the table's cost columns say "-" and why
    assertThat(code).as("exit code; stderr: %s", err()).isZero();
    List<String> lines = out().lines().toList();
    assertThat(lines).noneMatch(l -> l.contains("NaN"));
    assertThat(lines).anyMatch(l -> l.matches("ensemble +\\d\\.\\d{4} +\\d\\.\\d{4} +\\d\\.\\d{4} +- +-"));
    assertThat(lines).contains("(val and test: in-scope accuracy on CLINC150's validation and test splits; oos recall "
        + "on test; turns/s not timed: --cost-turns 0)");
  }

  @Test
  void shouldExitWith2NamingTheKnownEncodersOnAnUnknownOne() {
    int code = run("--encoders", "minilm-l6,gpt-9");

    assertThat(code).isEqualTo(2);
    assertThat(err()).isEqualTo("fit: Invalid value [minilm-l6, gpt-9] for configuration fit.encoders: unknown "
        + "encoder 'gpt-9'; known encoders are minilm-l6, minilm-l6-q, e5-small-q, bge-small-q\n");
  }

  private int run(String... args) {
    return FitCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
