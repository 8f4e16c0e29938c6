package org.streamdistill.schemas.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.config.KafkaClientSettings;

/**
 * A check, before a stage starts, that its Kafka settings let it in: the cluster answers, the
 * stage authenticates, and it may describe the topics it is going to use. For a stage whose
 * runtime would otherwise retry for ever (a Flink job restarting after each failure), so that a
 * wrong password, an untrusted certificate or a missing ACL stops it at once with a message that
 * says which, instead of a restart loop. Security failures are fatal (CONVENTIONS: sort errors);
 * anything else (the broker briefly down, a topic not there yet) is only logged, and the stage's
 * own retries deal with it.
 */
public final class KafkaAccessCheck {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaAccessCheck.class);

  /** The Kafka settings of a stage do not let it in; the message says why and what to check. */
  public static final class AccessDeniedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AccessDeniedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private KafkaAccessCheck() {}

  /**
   * Authenticates to {@code bootstrapServers} with {@code kafka} and describes {@code topics}.
   *
   * @throws AccessDeniedException when authentication, the TLS handshake or authorization fails
   */
  public static void check(String bootstrapServers, KafkaClientSettings kafka, Collection<String> topics,
                           Duration timeout) {
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Map<String, Object> config = kafka.withOwn(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.CLIENT_ID_CONFIG, "streamdistill-access-check",
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs));
    try (Admin admin = Admin.create(config)) {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      admin.describeTopics(topics).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      AccessDeniedException denied = denied(bootstrapServers, cause);
      if (denied != null) {
        throw denied;
      }
      LOG.warn("Kafka at {}: {} (the stage starts anyway and retries)", bootstrapServers, cause.toString());
    } catch (TimeoutException e) {
      LOG.warn("Kafka at {} did not answer within {} ms (the stage starts anyway and retries); if it stays so, check "
          + "bootstrap.servers and that kafka.security.protocol matches the listener", bootstrapServers, timeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking access to Kafka at " + bootstrapServers, e);
    }
  }

  /**
   * An error that says what to check, when {@code failure} (or one of its causes) is a security
   * failure; null otherwise. For stages that meet such failures at run time too.
   */
  public static AccessDeniedException denied(String bootstrapServers, Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SslAuthenticationException) {
        return new AccessDeniedException("TLS handshake with Kafka at " + bootstrapServers + " failed: "
            + t.getMessage() + ". Check kafka.ssl.truststore.location (it must hold the CA that signed the brokers' "
            + "certificates) and kafka.ssl.truststore.password", t);
      }
      if (t instanceof AuthenticationException) {
        return new AccessDeniedException("Kafka at " + bootstrapServers + " refused the credentials: "
            + t.getMessage() + ". Check kafka.sasl.mechanism and the user name and password in kafka.sasl.jaas.config",
            t);
      }
      if (t instanceof AuthorizationException) {
        return new AccessDeniedException("Kafka at " + bootstrapServers + " refused an operation: " + t.getMessage()
            + ". Grant the stage's user the ACLs it needs (deploy/cluster/README.md lists them)", t);
      }
    }
    return null;
  }
}
