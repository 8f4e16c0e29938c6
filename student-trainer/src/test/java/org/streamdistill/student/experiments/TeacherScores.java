package org.streamdistill.student.experiments;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The teacher's verdict on every CLINC150 utterance, read from the cache file that
 * teacher-stream's {@code org.streamdistill.teacher.experiments.TeacherScoreCache} writes (format
 * documented there): per split, the token ids, the logits and the gold index of each utterance, in
 * the split's order.
 */
final class TeacherScores {

  /** One split: parallel arrays indexed by position in the split. */
  record Split(String name, int[][] tokenIds, float[][] logits, int[] gold) {
    int size() {
      return gold.length;
    }
  }

  final List<String> labels;
  final float temperature;
  final String teacherVersion;
  final int oosIndex;
  private final Map<String, Split> splits = new HashMap<>();

  private TeacherScores(List<String> labels, float temperature, String teacherVersion) {
    this.labels = labels;
    this.temperature = temperature;
    this.teacherVersion = teacherVersion;
    this.oosIndex = labels.indexOf("oos");
  }

  static TeacherScores read(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      byte[] magic = in.readNBytes(4);
      if (!"TSC1".equals(new String(magic, java.nio.charset.StandardCharsets.US_ASCII))) {
        throw new IOException(file + " is not a teacher score cache (no TSC1 header)");
      }
      int labelCount = in.readInt();
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < labelCount; i++) {
        labels.add(in.readUTF());
      }
      TeacherScores scores = new TeacherScores(List.copyOf(labels), in.readFloat(), in.readUTF());
      int splitCount = in.readInt();
      List<String> splitNames = new ArrayList<>();
      for (int i = 0; i < splitCount; i++) {
        splitNames.add(in.readUTF());
      }
      int count = in.readInt();
      List<List<int[]>> ids = new ArrayList<>();
      List<List<float[]>> logits = new ArrayList<>();
      List<List<Integer>> gold = new ArrayList<>();
      for (int i = 0; i < splitCount; i++) {
        ids.add(new ArrayList<>());
        logits.add(new ArrayList<>());
        gold.add(new ArrayList<>());
      }
      for (int r = 0; r < count; r++) {
        int split = in.readByte();
        int index = in.readInt();
        if (index != gold.get(split).size()) {
          throw new IOException(file + ": record " + r + " of split " + splitNames.get(split) + " is out of order");
        }
        gold.get(split).add(in.readInt());
        int[] t = new int[in.readShort()];
        for (int i = 0; i < t.length; i++) {
          t[i] = in.readInt();
        }
        ids.get(split).add(t);
        float[] l = new float[labelCount];
        for (int i = 0; i < labelCount; i++) {
          l[i] = in.readFloat();
        }
        logits.get(split).add(l);
      }
      for (int s = 0; s < splitCount; s++) {
        scores.splits.put(splitNames.get(s), new Split(splitNames.get(s), ids.get(s).toArray(int[][]::new),
            logits.get(s).toArray(float[][]::new), gold.get(s).stream().mapToInt(Integer::intValue).toArray()));
      }
      return scores;
    }
  }

  Split split(String name) {
    Split split = splits.get(name);
    if (split == null) {
      throw new IllegalArgumentException("no split " + name + " in the cache; it has " + splits.keySet());
    }
    return split;
  }

  /** Two splits one after the other (e.g. train + oos_train, as the replay concatenates them). */
  Split concat(String first, String second) {
    Split a = split(first);
    Split b = split(second);
    int[][] ids = new int[a.size() + b.size()][];
    float[][] logits = new float[ids.length][];
    int[] gold = new int[ids.length];
    System.arraycopy(a.tokenIds(), 0, ids, 0, a.size());
    System.arraycopy(b.tokenIds(), 0, ids, a.size(), b.size());
    System.arraycopy(a.logits(), 0, logits, 0, a.size());
    System.arraycopy(b.logits(), 0, logits, a.size(), b.size());
    System.arraycopy(a.gold(), 0, gold, 0, a.size());
    System.arraycopy(b.gold(), 0, gold, a.size(), b.size());
    return new Split(first + "+" + second, ids, logits, gold);
  }
}
