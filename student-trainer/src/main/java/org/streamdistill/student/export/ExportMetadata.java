package org.streamdistill.student.export;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What an ONNX export says about its model besides the weights and the {@link InputContract}:
 * which model line and version it is, which label set its outputs index, and the names of those
 * labels (null where the trainer has not seen a label's name yet). Written to and read from the
 * file's {@code metadata_props}.
 *
 * @param modelName the model line, e.g. {@code student}
 * @param modelVersion the version, e.g. {@code student-v12}
 * @param labelSetId id of the teacher's label set the outputs index
 * @param labelNames one entry per output class, in output order; entries may be null
 */
public record ExportMetadata(String modelName, String modelVersion, String labelSetId,
    List<String> labelNames) {

  public ExportMetadata {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(modelVersion, "modelVersion");
    Objects.requireNonNull(labelSetId, "labelSetId");
    labelNames = Collections.unmodifiableList(new ArrayList<>(labelNames));
  }

  /** Metadata with label names from an array that may hold nulls (as the trainer keeps them). */
  public static ExportMetadata of(String modelName, String modelVersion, String labelSetId,
      String[] labelNames) {
    List<String> names = new ArrayList<>(labelNames.length);
    Collections.addAll(names, labelNames);
    return new ExportMetadata(modelName, modelVersion, labelSetId, names);
  }

  /** The name of output {@code index}, or {@code label-<index>} when it is unknown. */
  public String labelName(int index) {
    String name = index < labelNames.size() ? labelNames.get(index) : null;
    return name != null ? name : "label-" + index;
  }
}
