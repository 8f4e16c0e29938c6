package org.streamdistill.deploy.soak;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.deploy.cluster.JvmCommand;

/**
 * One stage of the soak in a JVM of its own, started from this JVM's class path with the
 * same flags {@code bin/streamdistill} uses ({@link JvmCommand}). Its output is appended to {@code <name>.out} in
 * the work directory across restarts. Owned by whoever starts it (the soak, an experiment); {@link #close()} stops it.
 */
public final class StageProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StageProcess.class);

  private final String name;
  private final List<String> command;
  private final Path out;
  private Process process;
  private boolean paused;
  private int starts;
  /** Set while the soak stops or kills the process on purpose, so its exit is not a crash. */
  private volatile boolean expectingExit;
  private int unexpectedExits;

  private final java.util.Map<String, String> environment;

  public StageProcess(String name, Path workDir, String heap, String mainClass, List<String> args) {
    this(name, workDir, heap, List.of(), mainClass, args, java.util.Map.of());
  }

  /**
   * @param jvmFlags further JVM flags ({@link org.streamdistill.deploy.cluster.JvmFlags})
   * @param environment variables set for the process (secrets go here, never in its arguments)
   */
  StageProcess(String name, Path workDir, String heap, List<String> jvmFlags, String mainClass, List<String> args,
               java.util.Map<String, String> environment) {
    this.name = name;
    this.environment = java.util.Map.copyOf(environment);
    this.out = workDir.resolve(name + ".out");
    this.command = JvmCommand.of(heap, workDir.resolve(name + ".log"), jvmFlags, mainClass, args);
  }

  public String name() {
    return name;
  }

  /** The command line each start runs. */
  List<String> command() {
    return command;
  }

  public synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
    // The soak's own STREAMDISTILL_* settings must not leak into every stage.
    builder.environment().keySet().removeIf(k -> k.startsWith("STREAMDISTILL_"));
    builder.environment().putAll(environment);
    process = builder.start();
    expectingExit = false;
    starts++;
    LOG.info("started {} (pid {}, start {})", name, process.pid(), starts);
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Whether the process ended without the soak asking it to; counts it once. */
  synchronized boolean crashed() {
    if (process != null && !process.isAlive() && !expectingExit) {
      unexpectedExits++;
      expectingExit = true;
      LOG.warn("{} exited by itself with code {}; see {}", name, process.exitValue(), out);
      return true;
    }
    return false;
  }

  synchronized int unexpectedExits() {
    return unexpectedExits;
  }

  /**
   * kill -STOP: the process freezes with its sockets open, so its peers see a partition (no
   * answer, no closed connection) rather than a restart, until {@link #resume()}.
   */
  synchronized void pause() throws IOException, InterruptedException {
    signal("STOP");
    paused = true;
  }

  /** kill -CONT after {@link #pause()}. */
  synchronized void resume() throws IOException, InterruptedException {
    if (paused) {
      signal("CONT");
      paused = false;
    }
  }

  private void signal(String signal) throws IOException, InterruptedException {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException(name + " is not running; cannot send SIG" + signal);
    }
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + process.pid() + " (" + name + ") failed");
    }
  }

  /** kill -9: no shutdown hook, no clean close. */
  synchronized void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    expectingExit = true;
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then kill -9 if it has not ended within {@code graceSeconds}. */
  public synchronized void stop(int graceSeconds) throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    expectingExit = true;
    if (paused) {
      try {
        resume(); // a frozen process would not act on SIGTERM
      } catch (IOException e) {
        LOG.warn("could not resume {} before stopping it: {}", name, e.getMessage());
      }
    }
    process.destroy();
    if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
      LOG.warn("{} did not stop within {} s of SIGTERM: killing it", name, graceSeconds);
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  public File output() {
    return out.toFile();
  }

  @Override
  public void close() {
    try {
      stop(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (process != null) {
        process.destroyForcibly();
      }
    }
  }
}
