package org.streamdistill.deploy.platform;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.schemas.topic.Topic;
import org.streamdistill.schemas.topic.Topics;

/**
 * Creates the topics of the catalogue ({@link Topics#ALL}) and each one's dead-letter twin,
 * optionally inside a namespace ({@link Topic#inNamespace(String)}). Idempotent: a topic
 * that already exists is left as it is; one whose partition count or cleanup policy differs
 * from the catalogue is reported and logged as a warning, never altered (repartitioning
 * would move keys between partitions under running consumers).
 */
public final class TopicProvisioner {

  /** Dead-letter topics keep poison records for 30 days: long enough to inspect and replay. */
  public static final long DEAD_LETTER_RETENTION_MS = Duration.ofDays(30).toMillis();

  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final long TIMEOUT_SECONDS = 30;
  private static final long VISIBILITY_POLL_MS = 20;

  private final Admin admin;
  private final Optional<Short> replicationFactor;

  /** Provisions with the broker's {@code default.replication.factor}. */
  public TopicProvisioner(Admin admin) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.replicationFactor = Optional.empty();
  }

  /** Provisions with an explicit replication factor. */
  public TopicProvisioner(Admin admin, short replicationFactor) {
    this.admin = Objects.requireNonNull(admin, "admin");
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replication factor must be >= 1, got " + replicationFactor);
    }
    this.replicationFactor = Optional.of(replicationFactor);
  }

  /**
   * The topics a namespace needs, in data-flow order, each followed by its dead-letter twin.
   * An empty or null namespace means the production names.
   */
  public static List<TopicSpec> plan(String namespace) {
    List<TopicSpec> specs = new ArrayList<>();
    for (Topic<?> catalogued : Topics.ALL) {
      Topic<?> topic = catalogued.inNamespace(namespace);
      specs.add(new TopicSpec(topic.name(), topic.partitions(),
          topic.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE,
          Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
              topic.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE)));
      specs.add(new TopicSpec(topic.deadLetterTopic(), 1, TopicConfig.CLEANUP_POLICY_DELETE, Map.of(
          TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
          TopicConfig.RETENTION_MS_CONFIG, Long.toString(DEAD_LETTER_RETENTION_MS))));
    }
    return List.copyOf(specs);
  }

  /** Creates the production topics (no namespace). */
  public ProvisioningResult provision() {
    return provision("");
  }

  /**
   * Creates every missing topic of {@link #plan(String)}.
   *
   * @throws IllegalStateException when the cluster refuses a topic or does not answer
   */
  public ProvisioningResult provision(String namespace) {
    List<TopicSpec> plan = plan(namespace);
    Map<String, KafkaFuture<Void>> creations = new LinkedHashMap<>();
    List<NewTopic> newTopics = plan.stream()
        .map(spec -> new NewTopic(spec.name(), Optional.of(spec.partitions()), replicationFactor)
            .configs(spec.configs()))
        .toList();
    admin.createTopics(newTopics).values().forEach(creations::put);

    List<String> created = new ArrayList<>();
    List<TopicSpec> existing = new ArrayList<>();
    for (TopicSpec spec : plan) {
      try {
        creations.get(spec.name()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        created.add(spec.name());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicExistsException) {
          existing.add(spec);
        } else {
          throw new IllegalStateException("cannot create topic " + spec.name() + ": " + e.getCause().getMessage(),
              e.getCause());
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("cluster did not confirm topic " + spec.name() + " within "
            + TIMEOUT_SECONDS + " s", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while creating topic " + spec.name(), e);
      }
    }
    awaitVisible(created);
    List<String> mismatched = checkExisting(existing);
    List<String> alreadyPresent = existing.stream().map(TopicSpec::name).toList();
    if (!created.isEmpty()) {
      LOG.info("Created {} topics: {}", created.size(), created);
    }
    if (!alreadyPresent.isEmpty()) {
      LOG.info("{} topics already existed: {}", alreadyPresent.size(), alreadyPresent);
    }
    return new ProvisioningResult(created, alreadyPresent, mismatched);
  }

  /**
   * Waits until the broker serves metadata for {@code names}. The controller confirms a
   * creation before every broker has applied it; returning earlier would hand callers
   * topics that clients and admin calls still call unknown.
   */
  private void awaitVisible(List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      try {
        admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
          throw new IllegalStateException("created topics " + names + " are not visible to clients: "
              + e.getCause().getMessage(), e.getCause());
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException("cluster did not describe topics " + names + " within "
            + TIMEOUT_SECONDS + " s", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topics " + names, e);
      }
      try {
        Thread.sleep(VISIBILITY_POLL_MS); // metadata propagation on one broker takes milliseconds
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for topics " + names, e);
      }
    }
  }

  /** Compares existing topics with the plan; returns the names that differ. */
  private List<String> checkExisting(List<TopicSpec> existing) {
    if (existing.isEmpty()) {
      return List.of();
    }
    List<String> names = existing.stream().map(TopicSpec::name).toList();
    List<ConfigResource> resources = names.stream()
        .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
    Map<String, TopicDescription> descriptions;
    Map<ConfigResource, Config> configs;
    try {
      descriptions = admin.describeTopics(names).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      configs = admin.describeConfigs(resources).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot describe existing topics " + names + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing topics " + names, e);
    }
    List<String> mismatched = new ArrayList<>();
    for (TopicSpec spec : existing) {
      int partitions = descriptions.get(spec.name()).partitions().size();
      ConfigEntry policyEntry = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()))
          .get(TopicConfig.CLEANUP_POLICY_CONFIG);
      String policy = policyEntry == null ? TopicConfig.CLEANUP_POLICY_DELETE : policyEntry.value();
      if (partitions != spec.partitions()) {
        LOG.warn("Topic {} exists with {} partitions, the catalogue says {}: left as it is "
            + "(delete and re-provision it to change the partitioning)", spec.name(), partitions, spec.partitions());
      }
      if (!spec.cleanupPolicy().equals(policy)) {
        LOG.warn("Topic {} exists with cleanup.policy={}, the catalogue says {}: left as it is "
            + "(kafka-configs.sh --alter can change it)", spec.name(), policy, spec.cleanupPolicy());
      }
      if (partitions != spec.partitions() || !spec.cleanupPolicy().equals(policy)) {
        mismatched.add(spec.name());
      }
    }
    return List.copyOf(mismatched);
  }

  /**
   * One topic to create.
   *
   * @param name topic name, namespace included
   * @param partitions partition count
   * @param cleanupPolicy {@code compact} or {@code delete}
   * @param configs topic-level configuration to create it with
   */
  public record TopicSpec(String name, int partitions, String cleanupPolicy, Map<String, String> configs) {
    public TopicSpec {
      configs = Map.copyOf(configs);
    }
  }

  /**
   * What {@link #provision(String)} did.
   *
   * @param created topics created by this call, in plan order
   * @param alreadyPresent topics that existed before the call
   * @param mismatched existing topics whose partitions or cleanup policy differ from the plan
   */
  public record ProvisioningResult(List<String> created, List<String> alreadyPresent, List<String> mismatched) {
    public ProvisioningResult {
      created = List.copyOf(created);
      alreadyPresent = List.copyOf(alreadyPresent);
      mismatched = List.copyOf(mismatched);
    }
  }
}
