package org.streamdistill.evaluator.compare;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streamdistill.records.ModelPrediction;
import org.streamdistill.records.StudentPrediction;

/**
 * What one namespace's trainer predicted for one model line: its learning model's (challenger's)
 * prediction of each turn, in the order made.
 *
 * @param namespace the namespace; empty for production
 * @param turns turn id to prediction, the first one kept when a turn was predicted twice
 * @param ordered the same predictions by time predicted (then turn id)
 * @param records prediction records read
 * @param duplicates records of a turn already seen (a pipeline that wrote a turn twice)
 * @param otherLines records with no prediction of the model line (another trainer's)
 */
public record NamespacePredictions(String namespace, Map<String, PredictedTurn> turns, List<PredictedTurn> ordered,
                                   long records, long duplicates, long otherLines) {

  /** The role of the model that learns in each namespace, so the variant's own learning shows. */
  static final String LEARNING_ROLE = "challenger";

  /** How namespaces are named on screen: production's is empty. */
  public String displayName() {
    return namespace.isEmpty() ? "production" : namespace;
  }

  /** Collects a namespace's prediction records. */
  public static final class Builder {
    private final String namespace;
    private final String versionPrefix;
    private final Map<String, PredictedTurn> turns = new LinkedHashMap<>();
    private long records;
    private long duplicates;
    private long otherLines;

    /** @param modelLine the trainer's model name ({@code trainer.model-name}); its versions are {@code <line>-v<n>} */
    public Builder(String namespace, String modelLine) {
      this.namespace = namespace;
      this.versionPrefix = modelLine + "-v";
    }

    public Builder add(StudentPrediction record) {
      records++;
      ModelPrediction learning = record.getPredictions().stream()
          .filter(p -> LEARNING_ROLE.equals(p.getRole()) && p.getModelVersion().startsWith(versionPrefix))
          .findFirst().orElse(null);
      if (learning == null) {
        otherLines++;
        return this;
      }
      if (turns.containsKey(record.getTurnId())) {
        duplicates++;
        return this;
      }
      Boolean goldCorrect = record.getGoldIndex() == null ? null
          : learning.getPredictedIndex() == record.getGoldIndex();
      turns.put(record.getTurnId(), new PredictedTurn(record.getTurnId(), record.getPredictedAt().toEpochMilli(),
          record.getHeldOut(), record.getLearned(),
          record.getTeacherScored() ? (Boolean) (learning.getPredictedIndex() == record.getTeacherIndex()) : null,
          goldCorrect));
      return this;
    }

    public NamespacePredictions build() {
      List<PredictedTurn> ordered = turns.values().stream()
          .sorted(Comparator.comparingLong(PredictedTurn::predictedAt).thenComparing(PredictedTurn::turnId))
          .toList();
      return new NamespacePredictions(namespace, Map.copyOf(turns), ordered, records, duplicates, otherLines);
    }
  }
}
