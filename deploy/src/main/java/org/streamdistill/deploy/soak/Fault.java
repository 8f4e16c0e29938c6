package org.streamdistill.deploy.soak;

/** A kind of fault the soak injects; {@link #isProcessFault()} for those that stop a process. */
public enum Fault {
  BROKER_RESTART("broker restart (SIGTERM, start again on the same data)", true),
  BROKER_PAUSE("broker frozen with SIGSTOP for soak.broker-pause-ms, then SIGCONT (a partition: connections "
      + "stay open, nothing answers; recovery timed from SIGCONT)", true),
  REGISTRY_RESTART("schema registry restart", true),
  TEACHER_KILL("teacher job process kill -9", true),
  TRAINER_KILL("trainer kill -9", true),
  EVALUATOR_KILL("evaluator kill -9", true),
  INGEST_RESTART("ingestion restart", true),
  BAD_HTTP("bad requests: 1969 and future timestamps, empty, oversized, invalid UTF-8", false),
  BAD_KAFKA("poison written to dialogue.turns: bytes, unknown schema id, 1969 event time, blank text", false),
  SLOW_HTTP("slow and half-open HTTP connections", false);

  private final String description;
  private final boolean processFault;

  Fault(String description, boolean processFault) {
    this.description = description;
    this.processFault = processFault;
  }

  public String description() {
    return description;
  }

  public boolean isProcessFault() {
    return processFault;
  }

  /** The name used in settings and reports: {@code trainer-kill}. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public static Fault ofKey(String key) {
    for (Fault f : values()) {
      if (f.key().equals(key)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown fault '" + key + "'; known: "
        + java.util.Arrays.stream(values()).map(Fault::key).toList());
  }
}
