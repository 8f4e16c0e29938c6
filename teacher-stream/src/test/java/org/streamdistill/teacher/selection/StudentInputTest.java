package org.streamdistill.teacher.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StudentInputTest {

  private static Map<String, String> metadata() {
    Map<String, String> m = new HashMap<>();
    m.put("streamdistill.input.vocab_size", "1000");
    m.put("streamdistill.input.max_tokens", "4");
    m.put("streamdistill.input.min_length", "3");
    m.put("streamdistill.input.strip_special_tokens", "true");
    m.put("streamdistill.input.cls_id", "101");
    m.put("streamdistill.input.sep_id", "102");
    m.put("streamdistill.input.pad_id", "0");
    return m;
  }

  @Test
  void shouldStripCutAndPadIdsAsTheExportSays() {
    StudentInput input = StudentInput.fromMetadata(metadata());

    assertThat(input.prepare(new int[] {101, 7, 8, 9, 10, 11, 102})).containsExactly(7, 8, 9, 10);
    assertThat(input.prepare(new int[] {101, 7, 102})).containsExactly(7, 0, 0);
    assertThat(input.prepare(new int[] {101, 7, 5000, 102})).containsExactly(7, 0, 0);
  }

  @Test
  void shouldNameAMissingOrMalformedKey() {
    Map<String, String> missing = metadata();
    missing.remove("streamdistill.input.min_length");
    assertThatThrownBy(() -> StudentInput.fromMetadata(missing))
        .hasMessage("metadata_props lack streamdistill.input.min_length: the file is not a student export of the "
            + "trainer");
    Map<String, String> malformed = metadata();
    malformed.put("streamdistill.input.max_tokens", "many");
    assertThatThrownBy(() -> StudentInput.fromMetadata(malformed))
        .hasMessage("metadata streamdistill.input.max_tokens must be an integer, got 'many'");
  }
}
