package org.streamdistill.student.training;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.streamdistill.schemas.metrics.MetricsEndpoint;
import org.streamdistill.schemas.registry.RestSchemaRegistryClient;

/**
 * Command line: runs the student trainer as its own process against a running Kafka cluster
 * and schema registry, until Ctrl-C or SIGTERM. Settings: {@code --config FILE}, then {@code
 * STREAMDISTILL_*} environment variables, then {@code --key value} flags (see {@link
 * TrainerConfig}).
 *
 * <p>Run exactly one instance per model line: the trainer is a single online learner, and a
 * second instance in the same consumer group would train a second, diverging model on half of
 * the soft labels.
 */
public final class StudentTrainerMain {

  /** How long shutdown waits for the trainer's last checkpoint before the JVM goes down. */
  private static final long SHUTDOWN_WAIT_SECONDS = 60;

  private StudentTrainerMain() {}

  public static void main(String[] args) {
    if (List.of(args).contains("--help")) {
      System.out.println("Runs the student trainer until Ctrl-C. Settings:\n" + TrainerConfig.LOADER.help());
      return;
    }
    StudentTrainer trainer;
    MetricsEndpoint.Settings metricsSettings;
    try {
      TrainerConfig config = TrainerConfig.parse(List.of(args), System.getenv());
      metricsSettings = TrainerConfig.metricsEndpoint(List.of(args), System.getenv());
      org.streamdistill.schemas.registry.SchemaRegistryClient registry;
      try {
        registry = new org.streamdistill.schemas.registry.RetryingSchemaRegistryClient(new RestSchemaRegistryClient(config.registryUrl()));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(TrainerConfig.REGISTRY_URL + ": " + e.getMessage());
      }
      trainer = StudentTrainer.create(config, registry);
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

    MetricsEndpoint metrics = MetricsEndpoint.startIfEnabled("trainer-metrics", metricsSettings,
        trainer.metricsRegistry());
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
      trainer.close();
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
    // run() returned by itself: only an error does that.
    trainer.close();
    if (metrics != null) {
      metrics.close();
    }
    if (failure != null) {
      System.err.println("student-trainer: stopped after an error: " + rootMessage(failure)
          + " (details in the log)");
      System.exit(1);
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
