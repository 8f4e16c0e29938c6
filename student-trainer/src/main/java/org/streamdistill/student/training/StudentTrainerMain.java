package org.streamdistill.student.training;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.kafka.KafkaAccessCheck;
import org.streamdistill.schemas.lifecycle.Failures;
import org.streamdistill.schemas.lifecycle.StageSupervisor;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.registry.RetryingSchemaRegistryClient;
import org.streamdistill.schemas.registry.SchemaRegistryClient;

/**
 * Command line: runs the student trainer as its own process against a running Kafka cluster
 * and schema registry, until Ctrl-C or SIGTERM. Settings: {@code --config FILE}, then {@code
 * STREAMDISTILL_*} environment variables, then {@code --key value} flags (see {@link
 * TrainerConfig}).
 *
 * <p>Failures that a restart can fix (the broker or the registry away for minutes) are waited
 * out: the trainer starts again after 1 s, then 2 s, ... at most 30 s apart, logging each restart.
 * Fencing, refused credentials or permissions, bad settings and inconsistent stored state end the
 * process with exit code 1 and the message.
 *
 * <p>Run exactly one instance per model line: the trainer is a single online learner, and a
 * second instance in the same consumer group would train a second, diverging model on half of
 * the soft labels.
 */
public final class StudentTrainerMain {

  private static final Logger LOG = LoggerFactory.getLogger(StudentTrainerMain.class);

  /** How long shutdown waits for the trainer's last checkpoint before the JVM goes down. */
  private static final long SHUTDOWN_WAIT_SECONDS = 60;
  /** Pauses between restarts after failures a restart can fix: 1 s, doubling, at most 30 s. */
  private static final Duration RESTART_INITIAL_BACKOFF = Duration.ofSeconds(1);
  private static final Duration RESTART_MAX_BACKOFF = Duration.ofSeconds(30);

  private StudentTrainerMain() {}

  public static void main(String[] args) {
    if (List.of(args).contains("--help")) {
      System.out.println("Runs the student trainer until Ctrl-C. Settings:\n" + TrainerConfig.LOADER.help());
      return;
    }
    StageSupervisor<StudentTrainer> trainer;
    String bootstrapServers;
    MetricsEndpoint.Settings metricsSettings;
    try {
      TrainerConfig config = TrainerConfig.parse(List.of(args), System.getenv());
      LOG.info("trainer settings given (the rest at their defaults): {}",
          TrainerConfig.LOADER.given(List.of(args), System.getenv()));
      bootstrapServers = config.bootstrapServers();
      metricsSettings = TrainerConfig.metricsEndpoint(List.of(args), System.getenv());
      SchemaRegistryClient registry;
      try {
        registry = new RetryingSchemaRegistryClient(config.registry().newClient());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(TrainerConfig.REGISTRY_URL + ": " + e.getMessage());
      }
      SchemaRegistryClient registryClient = registry;
      // Supervised as the demo supervises it: a failure a restart can fix (the broker away for
      // longer than the clients wait, say) starts the trainer again from its last committed
      // transaction and checkpoint, so nothing is lost or published twice; fencing, refused
      // credentials, bad settings and inconsistent state stop it with the message.
      trainer = new StageSupervisor<>("student trainer", () -> StudentTrainer.create(config, registryClient),
          StudentTrainer::stop, Failures::restartCannotFix, replaced -> { }, RESTART_INITIAL_BACKOFF,
          RESTART_MAX_BACKOFF);
    } catch (ConfigException e) {
      System.err.println("student-trainer: " + e.getMessage());
      System.exit(2);
      return;
    } catch (KafkaException e) {
      // Kafka rejects malformed client settings (bootstrap.servers without a port, say) in the
      // constructor; its own message is generic, the cause names the setting.
      System.err.println("student-trainer: " + rootMessage(e));
      System.exit(2);
      return;
    }

    PrometheusRegistry metricsRegistry = SupervisedTrainerMetrics.registry(trainer);
    MetricsEndpoint metrics = MetricsEndpoint.startIfEnabled("trainer-metrics", metricsSettings, metricsRegistry);
    CountDownLatch runReturned = new CountDownLatch(1);
    Thread shutdown = new Thread(() -> {
      trainer.stop();
      try {
        // run() writes a last checkpoint before it returns; closing earlier would pull the
        // consumer and producer from under it.
        if (!runReturned.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
          System.err.println("student-trainer: did not stop within " + SHUTDOWN_WAIT_SECONDS
              + " s; exiting without a last checkpoint");
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      closeQuietly(trainer.current());
      if (metrics != null) {
        metrics.close();
      }
    }, "student-trainer-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);

    RuntimeException failure = null;
    try {
      trainer.run();
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      runReturned.countDown();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdown);
    } catch (IllegalStateException shuttingDown) {
      return; // the hook stopped us and closes the trainer
    }
    // run() returned by itself: only an error a restart cannot fix does that.
    closeQuietly(trainer.current());
    if (metrics != null) {
      metrics.close();
    }
    if (failure != null) {
      // A refused login, TLS handshake or ACL gets a message that says which setting or grant to check.
      KafkaAccessCheck.AccessDeniedException denied = KafkaAccessCheck.denied(bootstrapServers, failure);
      System.err.println("student-trainer: stopped after an error: "
          + (denied != null ? denied.getMessage() : rootMessage(failure)) + " (details in the log)");
      System.exit(1);
    }
  }

  private static void closeQuietly(StudentTrainer trainer) {
    if (trainer == null) {
      return;
    }
    try {
      trainer.close();
    } catch (RuntimeException e) {
      System.err.println("student-trainer: closing its clients: " + rootMessage(e));
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
