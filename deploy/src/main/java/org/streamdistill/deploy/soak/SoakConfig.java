package org.streamdistill.deploy.soak;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.deploy.cluster.JvmFlags;
import org.streamdistill.schemas.config.ConfigLoader;

/**
 * Settings of {@code soak}.
 *
 * @param minutes how long faults are injected (then the soak waits for the pipeline to settle)
 * @param seed fixes the fault schedule and the poison bytes
 * @param workDir data and logs of every process (a fresh subdirectory per run)
 * @param teacherBundle the fitted teacher bundle the teacher job loads
 * @param data CLINC150's data_full.json, the texts of the traffic
 * @param rate valid turns per second posted to ingestion
 * @param faultIntervalMillis time between two faults
 * @param faults kinds of fault to inject
 * @param brokerPauseMillis how long a {@code broker-pause} fault keeps the broker frozen
 * @param settleMillis how long to wait at the end for the pipeline to catch up
 * @param report file the report is appended to; empty: none
 * @param jvmFlags extra JVM flags for every process the soak starts ({@link JvmFlags})
 */
public record SoakConfig(double minutes, long seed, Path workDir, Path teacherBundle, Path data, double rate,
                         long faultIntervalMillis, List<Fault> faults, long brokerPauseMillis, long settleMillis,
                         String report, List<String> jvmFlags) {

  public static final String MINUTES = "soak.minutes";
  public static final String SEED = "soak.seed";
  public static final String WORK_DIR = "soak.work-dir";
  public static final String TEACHER_BUNDLE = "soak.teacher.bundle";
  public static final String DATA = "soak.data";
  public static final String RATE = "soak.rate";
  public static final String FAULT_INTERVAL_MS = "soak.fault-interval-ms";
  public static final String FAULTS = "soak.faults";
  public static final String BROKER_PAUSE_MS = "soak.broker-pause-ms";
  public static final String SETTLE_MS = "soak.settle-ms";
  public static final String REPORT = "soak.report";
  public static final String JVM_FLAGS = "soak.jvm.flags";

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(MINUTES, Type.DOUBLE, 20.0, Range.between(0.5, 24 * 60), Importance.HIGH,
          "Minutes of faults, not counting the time the broker is frozen by broker-pause faults; the soak then "
              + "waits up to soak.settle-ms for the pipeline to catch up.")
      .define(SEED, Type.LONG, 1L, Importance.MEDIUM, "Seed of the fault schedule and the poison bytes.")
      .define(WORK_DIR, Type.STRING, "target/soak", Importance.LOW,
          "Each run makes a fresh subdirectory here with every process's data, output and log.")
      .define(TEACHER_BUNDLE, Type.STRING, "target/teacher-bundle", Importance.MEDIUM,
          "Fitted teacher bundle (bin/streamdistill fit writes one; the soak fits it when missing).")
      .define(DATA, Type.STRING, "../shared/data/clinc150/data_full.json", Importance.MEDIUM,
          "CLINC150's data_full.json: texts of the traffic, and the teacher's training data when it is fitted.")
      .define(RATE, Type.DOUBLE, 20.0, Range.between(0.1, 10_000), Importance.MEDIUM,
          "Valid turns per second posted to the ingestion endpoint.")
      .define(FAULT_INTERVAL_MS, Type.LONG, 35_000L, Range.atLeast(1_000), Importance.MEDIUM,
          "Time between two faults (each round injects every kind once, in a seeded order).")
      .define(FAULTS, Type.LIST, List.of(java.util.Arrays.stream(Fault.values()).map(Fault::key).toArray(String[]::new)),
          (name, value) -> {
            @SuppressWarnings("unchecked")
            List<String> keys = (List<String>) value;
            if (keys.isEmpty()) {
              throw new ConfigException(name + " must name at least one fault");
            }
            try {
              keys.forEach(Fault::ofKey);
            } catch (IllegalArgumentException e) {
              throw new ConfigException(name + ": " + e.getMessage());
            }
          }, Importance.LOW, "Kinds of fault to inject, comma-separated.")
      .define(BROKER_PAUSE_MS, Type.LONG, 90_000L, Range.between(1_000, 30 * 60_000), Importance.LOW,
          "How long a broker-pause fault keeps the broker frozen (SIGSTOP). The default, 90 s, is longer "
          + "than the clients' own waits (max.block.ms 60 s), so the stages have to wait the partition out themselves.")
      .define(SETTLE_MS, Type.LONG, 300_000L, Range.atLeast(10_000), Importance.LOW,
          "At the end, how long to wait for every valid turn's soft label and prediction and for lag 0.")
      .define(REPORT, Type.STRING, "RELIABILITY.md", Importance.LOW,
          "File the report is appended to (with the command and the machine); empty: print only.")
      .define(JVM_FLAGS, Type.STRING, "", JvmFlags.VALIDATOR, Importance.LOW,
          "Extra JVM flags for the broker and every stage process, separated by spaces: GC or JIT settings, e.g. "
              + "-XX:TieredStopAtLevel=1 for a short soak on a small machine. Heap, class path and main class are the soak's.");

  public static final ConfigLoader LOADER = new ConfigLoader(DEFINITION, "STREAMDISTILL",
      Map.of("minutes", MINUTES, "seed", SEED, "rate", RATE, "work-dir", WORK_DIR, "data", DATA));

  @SuppressWarnings("unchecked")
  public static SoakConfig from(Map<String, Object> v) {
    return new SoakConfig((Double) v.get(MINUTES), (Long) v.get(SEED), Path.of((String) v.get(WORK_DIR)),
        Path.of((String) v.get(TEACHER_BUNDLE)), Path.of((String) v.get(DATA)), (Double) v.get(RATE),
        (Long) v.get(FAULT_INTERVAL_MS), ((List<String>) v.get(FAULTS)).stream().map(Fault::ofKey).toList(),
        (Long) v.get(BROKER_PAUSE_MS), (Long) v.get(SETTLE_MS), (String) v.get(REPORT),
        JvmFlags.parse((String) v.get(JVM_FLAGS)));
  }

  public static SoakConfig parse(List<String> args, Map<String, String> env) {
    return from(LOADER.load(args, env));
  }
}
