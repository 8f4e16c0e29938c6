package org.streamdistill.dataset;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The CLINC150 intent corpus ("full" variant): one JSON object whose keys are splits, each
 * a list of {@code [utterance, intent]} pairs. The producers replay it and the teacher's
 * {@code fit} trains on it, so both read it through this one class.
 */
public final class Clinc150 {

  /** The label of out-of-scope utterances. */
  public static final String OUT_OF_SCOPE = "oos";

  /** Where the shared data set lives relative to a checkout's root. */
  public static final Path DEFAULT_PATH = Path.of("..", "shared", "data", "clinc150", "data_full.json");

  /** One labelled utterance. */
  public record Example(String text, String label) {
    public boolean inScope() {
      return !OUT_OF_SCOPE.equals(label);
    }
  }

  private final Map<String, List<Example>> splits;

  private Clinc150(Map<String, List<Example>> splits) {
    this.splits = splits;
  }

  /**
   * Reads the corpus. Fails with a message naming the path when the file is missing or is
   * not a CLINC150 "full" file.
   */
  public static Clinc150 read(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toAbsolutePath().normalize().toString(), null,
          "CLINC150 data file not found; pass the path of data_full.json");
    }
    Map<String, List<Example>> splits = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(path);
         JsonParser parser = new ObjectMapper().getFactory().createParser(in)) {
      expect(parser.nextToken(), JsonToken.START_OBJECT, path);
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String split = parser.currentName();
        expect(parser.nextToken(), JsonToken.START_ARRAY, path);
        List<Example> examples = new ArrayList<>();
        while (parser.nextToken() == JsonToken.START_ARRAY) {
          parser.nextToken();
          String text = parser.getValueAsString();
          parser.nextToken();
          String label = parser.getValueAsString();
          expect(parser.nextToken(), JsonToken.END_ARRAY, path);
          if (text == null || label == null) {
            throw new IOException(path + ": split '" + split + "' holds a pair that is not [text, label]");
          }
          examples.add(new Example(text, label));
        }
        splits.put(split, Collections.unmodifiableList(examples));
      }
    }
    for (String required : List.of("train", "test", "oos_train", "oos_test")) {
      if (!splits.containsKey(required)) {
        throw new IOException(path + " is not a CLINC150 'full' file: split '" + required
            + "' is missing (found " + splits.keySet() + ")");
      }
    }
    return new Clinc150(Collections.unmodifiableMap(splits));
  }

  private static void expect(JsonToken actual, JsonToken expected, Path path) throws IOException {
    if (actual != expected) {
      throw new IOException(path + " is not a CLINC150 'full' file: expected " + expected + " but found " + actual);
    }
  }

  /** The examples of a split ({@code train}, {@code val}, {@code test}, {@code oos_train}, ...). */
  public List<Example> split(String name) {
    List<Example> examples = splits.get(name);
    if (examples == null) {
      throw new IllegalArgumentException("no split '" + name + "' in CLINC150; splits are " + splits.keySet());
    }
    return examples;
  }

  /** Training examples: the 150 in-scope intents plus the out-of-scope training utterances. */
  public List<Example> trainWithOos() {
    return concat(split("train"), split("oos_train"));
  }

  /**
   * The training examples (out-of-scope ones included) whose text falls in {@code [from, to)} of
   * a fixed hash: a part of the training split that commands agree on without sharing a seed
   * (e.g. {@code fit} fits heads on {@code [0, 0.5)} and {@code bench teachers} streams the rest,
   * turns no head was fitted on). The same text always falls in the same part; about
   * {@code to - from} of each intent's examples fall in a part.
   *
   * @throws IllegalArgumentException unless {@code 0 <= from < to <= 1}
   */
  public List<Example> trainWithOos(double from, double to) {
    if (!(from >= 0 && from < to && to <= 1)) {
      throw new IllegalArgumentException("a part of the training split is [from, to) with 0 <= from < to <= 1, got ["
          + from + ", " + to + ")");
    }
    List<Example> part = new ArrayList<>();
    for (Example e : trainWithOos()) {
      double position = hashPosition(e.text());
      if (position >= from && position < to) {
        part.add(e);
      }
    }
    return part;
  }

  /** Where {@code text} falls in [0, 1): its UTF-8 bytes' CRC-32 over 2^32, fixed across runs and JVMs. */
  static double hashPosition(String text) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return crc.getValue() / 4_294_967_296.0;
  }

  /** Test examples: the in-scope test split plus the out-of-scope test utterances. */
  public List<Example> testWithOos() {
    return concat(split("test"), split("oos_test"));
  }

  /** The label set in a stable order: the sorted in-scope intents, then {@code oos}. */
  public List<String> labels() {
    TreeSet<String> intents = new TreeSet<>();
    for (Example e : split("train")) {
      intents.add(e.label());
    }
    intents.remove(OUT_OF_SCOPE);
    List<String> labels = new ArrayList<>(intents);
    labels.add(OUT_OF_SCOPE);
    return Collections.unmodifiableList(labels);
  }

  private static List<Example> concat(List<Example> a, List<Example> b) {
    List<Example> all = new ArrayList<>(a.size() + b.size());
    all.addAll(a);
    all.addAll(b);
    return Collections.unmodifiableList(all);
  }
}
