package org.streamdistill.deploy.cluster;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Extra JVM flags for the processes a command starts ({@code cluster.jvm.flags}, {@code
 * soak.jvm.flags}, {@code bench.cluster.jvm-flags}): one string, flags separated by spaces, each
 * placed after the process's own flags and before its class path. Operators set GC or JIT flags
 * here; {@code -XX:TieredStopAtLevel=1} (C1 only) took LocalClusterFailuresIT from 356 s to 202 s on
 * 2 cores (see its javadoc), and slows a long run's hot loops.
 *
 * <p>What would replace the class path, the main class or the heap the command sizes for each
 * process is refused with the setting's name, not passed to a JVM that would fail to start.
 */
public final class JvmFlags implements ConfigDef.Validator {

  public static final JvmFlags VALIDATOR = new JvmFlags();

  /** Flags that name a class path, a main class or end the JVM before it runs one. */
  private static final List<String> REFUSED = List.of("-cp", "-classpath", "--class-path", "-jar", "-m", "--module",
      "-version", "--version", "-help", "--help", "-h", "-?");
  /** Prefixes of the heap flags each command sizes itself (compared ignoring case). */
  private static final List<String> HEAP = List.of("-xmx", "-xms");

  private JvmFlags() {}

  /** The flags of {@code value}, in order; an empty list when it is blank. */
  public static List<String> parse(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.trim().split("\\s+")).toList();
  }

  @Override
  public void ensureValid(String name, Object value) {
    for (String flag : parse(value == null ? null : value.toString())) {
      if (!flag.startsWith("-")) {
        throw new ConfigException(name, value, "'" + flag + "' is not a JVM flag (flags start with '-', separated "
            + "by spaces)");
      }
      String lower = flag.toLowerCase(Locale.ROOT);
      if (REFUSED.contains(lower) || HEAP.stream().anyMatch(lower::startsWith)) {
        throw new ConfigException(name, value, "'" + flag + "' is not allowed here: the command sets each "
            + "process's class path, main class and heap itself");
      }
    }
  }

  @Override
  public String toString() {
    return "JVM flags separated by spaces (no class path, main class or heap)";
  }
}
