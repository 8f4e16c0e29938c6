package org.streamdistill.evaluator.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.schemas.config.ConfigLoader;
import org.streamdistill.schemas.config.KafkaClientSettings;
import org.streamdistill.schemas.registry.RegistryClientSettings;
import org.streamdistill.schemas.topic.Topics;

/**
 * Settings of the {@code compare} command.
 *
 * @param namespaces the baseline first ({@code ""} is production), then the variants
 * @param modelLine the trainer's model name whose learning model is compared
 * @param bootstrapSamples draws of the paired bootstrap
 * @param confidence of the intervals, and 1 - the p-value threshold of a verdict
 * @param seed of the bootstrap draws
 * @param curvePoints points per learning curve at most
 * @param json print JSON instead of the table
 * @param html file of the HTML report; empty for none
 */
public record CompareConfig(String bootstrapServers, RegistryClientSettings registry, List<String> namespaces,
                            String modelLine, int bootstrapSamples, double confidence, long seed, int curvePoints,
                            boolean json, String html, KafkaClientSettings kafka) {

  public static final String BOOTSTRAP_SERVERS = KafkaClientSettings.BOOTSTRAP_SERVERS;
  public static final String NAMESPACES = "compare.namespaces";
  public static final String MODEL_LINE = "compare.model-line";
  public static final String BOOTSTRAP_SAMPLES = "compare.bootstrap.samples";
  public static final String CONFIDENCE = "compare.confidence";
  public static final String SEED = "compare.seed";
  public static final String CURVE_POINTS = "compare.curve.points";
  public static final String JSON = "compare.json";
  public static final String HTML = "compare.html";
  /** How production's namespace, the empty one, is written on the command line. */
  public static final String PRODUCTION = "production";

  public static final ConfigDef DEFINITION = RegistryClientSettings.define(new ConfigDef()
      .define(KafkaClientSettings.bootstrapServersKey()))
      .define(NAMESPACES, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
          "Namespaces to compare, the baseline first: '" + PRODUCTION + "' (or an empty item) for production's "
              + "topics, else an experiment's namespace (exp1). Two or more.")
      .define(MODEL_LINE, Type.STRING, "student", Importance.MEDIUM,
          "Model line (trainer.model-name) whose learning model is compared in every namespace.")
      .define(BOOTSTRAP_SAMPLES, Type.INT, 2_000, Range.between(100, 1_000_000), Importance.LOW,
          "Draws of the paired bootstrap behind each interval.")
      .define(CONFIDENCE, Type.DOUBLE, 0.95, Range.between(0.5, 0.999), Importance.LOW,
          "Confidence of the intervals; a verdict also needs the McNemar p-value below 1 minus this.")
      .define(SEED, Type.LONG, 1L, Importance.LOW, "Seed of the bootstrap draws (same seed, same intervals).")
      .define(CURVE_POINTS, Type.INT, 20, Range.between(2, 1_000), Importance.LOW, "Points per learning curve.")
      .define(JSON, Type.BOOLEAN, false, Importance.MEDIUM, "Print the report as JSON instead of a table.")
      .define(HTML, Type.STRING, "target/compare-report.html", Importance.MEDIUM,
          "Write a self-contained HTML report (tables, verdicts, learning curves) to this file; empty for none.");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL",
      Map.of("bootstrap-servers", BOOTSTRAP_SERVERS, "registry", RegistryClientSettings.URL, "namespaces", NAMESPACES,
          "model-line", MODEL_LINE, "json", JSON, "html", HTML, "seed", SEED))
      .withKafkaClientSettings();

  @SuppressWarnings("unchecked")
  public static CompareConfig from(Map<String, Object> v) {
    List<String> namespaces = new ArrayList<>();
    for (String item : (List<String>) v.get(NAMESPACES)) {
      String name = item.trim();
      namespaces.add(name.equals(PRODUCTION) ? "" : name);
    }
    if (namespaces.size() < 2) {
      throw new ConfigException(NAMESPACES, v.get(NAMESPACES), "name two namespaces or more, the baseline first");
    }
    if (namespaces.stream().distinct().count() < namespaces.size()) {
      throw new ConfigException(NAMESPACES, v.get(NAMESPACES), "a namespace is named twice");
    }
    for (String namespace : namespaces) {
      try {
        Topics.PREDICTIONS.inNamespace(namespace);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(NAMESPACES, namespace, e.getMessage());
      }
    }
    return new CompareConfig((String) v.get(BOOTSTRAP_SERVERS), RegistryClientSettings.from(v), List.copyOf(namespaces),
        (String) v.get(MODEL_LINE), (Integer) v.get(BOOTSTRAP_SAMPLES), (Double) v.get(CONFIDENCE),
        (Long) v.get(SEED), (Integer) v.get(CURVE_POINTS), (Boolean) v.get(JSON), ((String) v.get(HTML)).trim(),
        KafkaClientSettings.from(v));
  }

  public static CompareConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }

  public PairedDifference.Method method() {
    return new PairedDifference.Method(bootstrapSamples, confidence, seed);
  }
}
