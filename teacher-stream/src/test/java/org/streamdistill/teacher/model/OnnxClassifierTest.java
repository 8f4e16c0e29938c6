package org.streamdistill.teacher.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a user's ONNX classifier: input detection, identity, label lists, padding id, and refusals. */
class OnnxClassifierTest {

  private static final List<String> LABELS = List.of("balance", "transfer", "weather", "greeting", "goodbye");

  @TempDir
  static Path dir;

  private static Path withTypes;
  private static Path withoutTypes;
  private static Path tokenizer;
  private static Path labels;

  @BeforeAll
  static void writeModels() throws IOException {
    withTypes = TinyOnnxClassifier.create(true, LABELS.size(), 1).write(dir.resolve("with-types.onnx"));
    withoutTypes = TinyOnnxClassifier.create(false, LABELS.size(), 1).write(dir.resolve("without-types.onnx"));
    tokenizer = TinyOnnxClassifier.writeMiniLmTokenizer(dir.resolve("tokenizer.json"));
    labels = TinyOnnxClassifier.writeLabels(dir.resolve("labels.txt"), LABELS);
  }

  @Test
  void shouldDetectFromTheGraphWhetherTheModelTakesTokenTypeIds() throws IOException {
    try (OnnxClassifier with = OnnxClassifier.open(withTypes, tokenizer, labels, 32, 2.0, 1);
         OnnxClassifier without = OnnxClassifier.open(withoutTypes, tokenizer, labels, 32, 2.0, 1)) {
      assertThat(with.takesTokenTypeIds()).isTrue();
      assertThat(without.takesTokenTypeIds()).isFalse();
      // Both run: ONNX Runtime refuses a missing declared input and an undeclared extra one.
      assertThat(with.score(List.of("hello there"))).hasSize(1);
      assertThat(without.score(List.of("hello there"))).hasSize(1);
    }
  }

  @Test
  void shouldVersionByContentAndIdentifyTheLabelSetAsBundlesDo() throws IOException {
    Path reordered = TinyOnnxClassifier.writeLabels(dir.resolve("reordered.txt"),
        List.of("transfer", "balance", "weather", "greeting", "goodbye"));
    Path copy = Files.copy(withTypes, dir.resolve("copy-of-with-types.onnx"));
    try (OnnxClassifier a = OnnxClassifier.open(withTypes, tokenizer, labels, 32, 2.0, 1);
         OnnxClassifier sameContent = OnnxClassifier.open(copy, tokenizer, labels, 32, 2.0, 1);
         OnnxClassifier otherModel = OnnxClassifier.open(withoutTypes, tokenizer, labels, 32, 2.0, 1);
         OnnxClassifier otherLabels = OnnxClassifier.open(withTypes, tokenizer, reordered, 32, 2.0, 1);
         OnnxClassifier otherTemperature = OnnxClassifier.open(withTypes, tokenizer, labels, 32, 4.0, 1)) {
      assertThat(a.version()).matches("onnx-classifier-[0-9a-f]{12}").isEqualTo(sameContent.version());
      assertThat(List.of(otherModel.version(), otherLabels.version(), otherTemperature.version()))
          .doesNotContain(a.version()).doesNotHaveDuplicates();
      assertThat(a.labelSetId()).isEqualTo(TeacherBundle.labelSetId(LABELS));
      assertThat(otherLabels.labelSetId()).isNotEqualTo(a.labelSetId());
    }
  }

  @Test
  void shouldReadLabelsAsLinesAJsonListOrAHuggingFaceConfig() throws IOException {
    Path lines = Files.writeString(dir.resolve("lines.txt"), "\uFEFFbalance\r\n  transfer \nweather\n\n");
    Path list = Files.writeString(dir.resolve("list.json"), "[\"balance\", \"transfer\", \"weather\"]");
    Path config = Files.writeString(dir.resolve("config.json"),
        "{\"architectures\": [\"BertForSequenceClassification\"],"
            + " \"id2label\": {\"2\": \"weather\", \"0\": \"balance\", \"1\": \"transfer\"}}");

    assertThat(OnnxClassifier.readLabels(lines)).containsExactly("balance", "transfer", "weather");
    assertThat(OnnxClassifier.readLabels(list)).containsExactly("balance", "transfer", "weather");
    assertThat(OnnxClassifier.readLabels(config)).containsExactly("balance", "transfer", "weather");
  }

  @Test
  void shouldRefuseLabelListsThatCannotIndexLogits() throws IOException {
    Path duplicate = Files.writeString(dir.resolve("duplicate.txt"), "a\nb\na\n");
    Path gap = Files.writeString(dir.resolve("gap.txt"), "a\n\nb\n");
    Path single = Files.writeString(dir.resolve("single.json"), "[\"a\"]");
    Path holes = Files.writeString(dir.resolve("holes.json"), "{\"id2label\": {\"0\": \"a\", \"2\": \"b\"}}");

    assertThatThrownBy(() -> OnnxClassifier.readLabels(duplicate)).hasMessageContaining("label 'a' appears twice");
    assertThatThrownBy(() -> OnnxClassifier.readLabels(gap)).hasMessageContaining("label 1 is empty");
    assertThatThrownBy(() -> OnnxClassifier.readLabels(single)).hasMessageContaining("names 1 labels");
    assertThatThrownBy(() -> OnnxClassifier.readLabels(holes)).hasMessageContaining("ids must be 0..1");
  }

  @Test
  void shouldRefuseALabelListWhoseSizeDiffersFromTheModelsOutput() throws IOException {
    Path four = TinyOnnxClassifier.writeLabels(dir.resolve("four.txt"), LABELS.subList(0, 4));

    assertThatThrownBy(() -> OnnxClassifier.open(withTypes, tokenizer, four, 32, 2.0, 1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("outputs 5 logits per text but the label list has 4 labels");
  }

  @Test
  void shouldNameTheMissingFile() {
    Path missing = dir.resolve("no-such-model.onnx");

    assertThatThrownBy(() -> OnnxClassifier.open(missing, tokenizer, labels, 32, 2.0, 1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ONNX model file " + missing.toAbsolutePath() + " does not exist");
  }

  @Test
  void shouldPadWithTheTokenizersOwnPaddingId() throws IOException {
    Path configured = Files.writeString(dir.resolve("configured.json"),
        "{\"padding\": {\"pad_id\": 1, \"pad_token\": \"<pad>\"}, \"added_tokens\": []}");
    Path added = Files.writeString(dir.resolve("added.json"),
        "{\"padding\": null, \"added_tokens\": [{\"id\": 0, \"content\": \"<s>\"}, {\"id\": 3, \"content\": \"<pad>\"}]}");
    Path none = Files.writeString(dir.resolve("none.json"), "{\"padding\": null, \"added_tokens\": []}");

    assertThat(OnnxClassifier.padId(configured)).isEqualTo(1);
    assertThat(OnnxClassifier.padId(added)).isEqualTo(3);
    assertThat(OnnxClassifier.padId(none)).isZero();
    assertThat(OnnxClassifier.padId(tokenizer)).isZero(); // MiniLM: [PAD] is 0
  }
}
