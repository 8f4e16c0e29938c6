package org.streamdistill.deploy.soak;

import java.util.function.Supplier;

/**
 * One injected fault and how to tell, later, when the pipeline had recovered from it (epoch
 * millis, or null while it has not) and whether it was handled as promised (null) or not (why).
 */
record Injection(Fault fault, long startedAt, String detail, Supplier<Long> recoveredAt, Supplier<String> problem) {

  /** Milliseconds from the fault to recovery, or null when it never recovered. */
  Long recoveryMillis() {
    Long at = recoveredAt.get();
    return at == null ? null : Math.max(0, at - startedAt);
  }
}
