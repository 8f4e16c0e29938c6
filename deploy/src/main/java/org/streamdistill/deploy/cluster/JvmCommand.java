package org.streamdistill.deploy.cluster;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The command line of a JVM started from this JVM's class path with the flags {@code
 * bin/streamdistill} uses: heap, offline DJL, the {@code --add-opens} Flink and Kryo need, and a
 * log file of its own. Shared by the soak's stage processes and the local cluster.
 */
public final class JvmCommand {

  /** Flink and Kryo reflect into JDK internals (the same list as jvm.opens in pom.xml and bin/streamdistill). */
  public static final List<String> OPENS = List.of("java.base/java.lang", "java.base/java.util",
      "java.base/java.lang.reflect", "java.base/java.io", "java.base/java.nio", "java.base/sun.nio.ch",
      "java.base/java.net", "java.base/java.util.concurrent", "java.base/java.util.concurrent.atomic",
      "java.base/java.time", "java.base/java.text", "java.sql/java.sql");

  /**
   * What a Flink distribution's {@code lib/} holds, by jar name: Flink itself (not the Kafka connector
   * and connector base, which jobs bring), the libraries only Flink's own modules use, and logging.
   * The same split as the job jar's shade excludes in teacher-stream's POM, seen from the other side.
   */
  private static final Pattern FLINK_LIB = Pattern.compile("(?!flink-connector-kafka-|flink-connector-base-)"
      + "(flink-|kryo-|minlog-|reflectasm-|objenesis-|javassist-|async-profiler-|jsr305-|lz4-java-|snappy-java-"
      + "|snakeyaml-engine-|slf4j-api-|log4j-api-|log4j-core-|log4j-slf4j2-impl-|commons-cli-|commons-collections-"
      + "|commons-compress-|commons-io-|commons-lang3-|commons-math3-|commons-text-).*\\.jar");

  /**
   * Libraries that load native code (DJL's tokenizers, ONNX Runtime) with their own dependencies. A
   * JVM loads a native library into one class loader only: from the job jar, a job submitted again to
   * the same TaskManagers (after a stop with savepoint, say) failed with {@code NoClassDefFoundError:
   * Could not initialize class ai.djl.huggingface.tokenizers.jni.LibUtils}. So they go into Flink's
   * {@code lib/} as well, loaded parent-first ({@link #NATIVE_PARENT_FIRST}), as Flink's documentation
   * advises for native libraries.
   */
  private static final Pattern NATIVE_LIBS = Pattern.compile(
      "(api-|tokenizers-|onnxruntime-|onnxruntime-engine-|gson-|jna-)\\d.*\\.jar");

  /** The packages of {@link #NATIVE_LIBS}, for {@code classloader.parent-first-patterns.additional}. */
  public static final String NATIVE_PARENT_FIRST = "ai.djl.;ai.onnxruntime.;com.google.gson.;com.sun.jna.";

  private JvmCommand() {}

  /** The {@code java} launcher of this JVM. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * This JVM's class path with every entry made absolute, so that a process started from another
   * working directory, or found again from another shell, runs the same classes.
   */
  public static String classPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /**
   * The part of this JVM's class path a Flink distribution would have in {@code lib/}, plus the native
   * code libraries ({@link #NATIVE_LIBS}): the class path of Flink processes (JobManager, TaskManager,
   * CLI). A job must bring the rest in its jar, as on any Flink cluster; with the whole class path,
   * Flink's parent-first classes (the Kafka connector) and a job's child-first copies (Kafka clients)
   * meet and fail with a loader constraint violation.
   */
  public static String flinkClassPath() {
    return Arrays.stream(classPath().split(File.pathSeparator))
        .filter(entry -> isFlinkLib(Path.of(entry).getFileName().toString()))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** Whether a Flink distribution's {@code lib/} would hold the jar named {@code fileName}. */
  static boolean isFlinkLib(String fileName) {
    return FLINK_LIB.matcher(fileName).matches() || NATIVE_LIBS.matcher(fileName).matches();
  }

  /**
   * {@code java -Xmx<heap> ... -cp <this class path> <mainClass> <args>}.
   *
   * @param heap the maximum heap ({@code -Xmx}), or null when {@code jvmFlags} set the memory
   * @param logFile where the process's Log4j output goes ({@code streamdistill.log.file})
   * @param jvmFlags further JVM flags, placed before the class path
   */
  public static List<String> of(String heap, Path logFile, List<String> jvmFlags, String mainClass,
                                List<String> args) {
    return of(heap, logFile, jvmFlags, classPath(), mainClass, args);
  }

  /** The same with another class path. */
  public static List<String> of(String heap, Path logFile, List<String> jvmFlags, String classPath, String mainClass,
                                List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    if (heap != null) {
      cmd.add("-Xmx" + heap);
    }
    cmd.add("-Dai.djl.offline=true");
    // Off so that what a stage's own shutdown hook logs (last checkpoint, clean close) still reaches its log.
    cmd.add("-Dlog4j.shutdownHookEnabled=false");
    cmd.add("-Dstreamdistill.log.file=" + logFile.toAbsolutePath());
    for (String open : OPENS) {
      cmd.add("--add-opens=" + open + "=ALL-UNNAMED");
    }
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(args);
    return List.copyOf(cmd);
  }
}
