package org.streamdistill.deploy.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state in memory: a pure function of the records of the {@code _schemas}
 * topic applied in offset order, so every registry that reads the same topic holds the same
 * state. Only the log reader thread applies records; HTTP threads read. Every method is
 * synchronized: the state is small and requests are rare.
 *
 * <p>Invariants, enforced when a record is applied (the first record wins, later
 * conflicting ones are ignored): an id names one schema; a schema has one id; a subject's
 * versions are strictly increasing and hold distinct schemas.
 */
final class RegistryState {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryState.class);

  /** One version of a subject. */
  record SchemaVersion(String subject, int version, int id, Schema schema) {
    /** The canonical JSON the id is keyed by. */
    String canonical() {
      return schema.toString();
    }
  }

  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, Integer> idsByCanonical = new HashMap<>();
  private final Map<String, TreeMap<Integer, SchemaVersion>> subjects = new TreeMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.DEFAULT;
  private long nextOffset;
  private RuntimeException readerFailure;

  /** Applies one decoded record read at {@code offset}; returns whether it changed the state. */
  synchronized boolean apply(SchemaLogRecords.Entry entry, long offset) {
    if (entry instanceof SchemaLogRecords.SchemaEntry schema) {
      return applySchema(schema, offset);
    }
    SchemaLogRecords.ConfigEntry config = (SchemaLogRecords.ConfigEntry) entry;
    if (config.subject().isEmpty()) {
      globalLevel = config.level().orElse(CompatibilityLevel.DEFAULT);
    } else if (config.level().isPresent()) {
      subjectLevels.put(config.subject().get(), config.level().get());
    } else {
      subjectLevels.remove(config.subject().get());
    }
    return true;
  }

  private boolean applySchema(SchemaLogRecords.SchemaEntry entry, long offset) {
    Schema schema;
    try {
      schema = new Schema.Parser().parse(entry.schema());
    } catch (RuntimeException e) {
      LOG.warn("Ignoring _schemas record at offset {}: subject {} version {} holds an unparsable schema: {}",
          offset, entry.subject(), entry.version(), e.getMessage());
      return false;
    }
    String canonical = schema.toString();
    Schema idHolder = schemasById.get(entry.id());
    Integer existingId = idsByCanonical.get(canonical);
    TreeMap<Integer, SchemaVersion> versions = subjects.getOrDefault(entry.subject(), new TreeMap<>());
    String conflict = null;
    if (idHolder != null && !idHolder.toString().equals(canonical)) {
      conflict = "id " + entry.id() + " already names another schema";
    } else if (existingId != null && existingId != entry.id()) {
      conflict = "the schema already has id " + existingId;
    } else if (!versions.isEmpty() && versions.lastKey() >= entry.version()) {
      conflict = "subject already has version " + versions.lastKey();
    } else if (versions.values().stream().anyMatch(v -> v.id() == entry.id())) {
      conflict = "subject already holds this schema";
    }
    if (conflict != null) {
      // Expected when two registries race for the same version: the loser retries.
      LOG.debug("Ignoring _schemas record at offset {} (subject {} version {} id {}): {}",
          offset, entry.subject(), entry.version(), entry.id(), conflict);
      return false;
    }
    schemasById.put(entry.id(), schema);
    idsByCanonical.put(canonical, entry.id());
    versions.put(entry.version(), new SchemaVersion(entry.subject(), entry.version(), entry.id(), schema));
    subjects.put(entry.subject(), versions);
    return true;
  }

  /** Records that every record before {@code offset} has been applied. */
  synchronized void advanceTo(long offset) {
    if (offset > nextOffset) {
      nextOffset = offset;
      notifyAll();
    }
  }

  /** The reader stopped for good: waiting writers fail instead of timing out. */
  synchronized void readerFailed(RuntimeException failure) {
    readerFailure = failure;
    notifyAll();
  }

  /**
   * Waits until the record at {@code offset} has been applied.
   *
   * @throws RegistryError on timeout or when the reader has stopped
   */
  synchronized void awaitApplied(long offset, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (nextOffset <= offset) {
      if (readerFailure != null) {
        throw RegistryError.storeError("the _schemas reader has stopped: " + readerFailure.getMessage(), readerFailure);
      }
      long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
      if (remainingMillis <= 0) {
        throw RegistryError.timeout("the _schemas record at offset " + offset + " was not read back within "
            + timeout.toMillis() + " ms (applied up to " + nextOffset + ")");
      }
      try {
        wait(remainingMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw RegistryError.timeout("interrupted while waiting for _schemas offset " + offset);
      }
    }
  }

  synchronized Optional<Schema> schemaById(int id) {
    return Optional.ofNullable(schemasById.get(id));
  }

  synchronized Optional<Integer> idOf(String canonical) {
    return Optional.ofNullable(idsByCanonical.get(canonical));
  }

  synchronized int maxId() {
    return schemasById.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /** Subject names in alphabetical order. */
  synchronized List<String> subjects() {
    return List.copyOf(subjects.keySet());
  }

  synchronized boolean hasSubject(String subject) {
    return subjects.containsKey(subject);
  }

  /** The subject's versions, oldest first; empty when the subject does not exist. */
  synchronized List<SchemaVersion> versions(String subject) {
    TreeMap<Integer, SchemaVersion> versions = subjects.get(subject);
    return versions == null ? List.of() : List.copyOf(versions.values());
  }

  synchronized Optional<SchemaVersion> version(String subject, int version) {
    TreeMap<Integer, SchemaVersion> versions = subjects.get(subject);
    return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
  }

  synchronized Optional<SchemaVersion> latest(String subject) {
    TreeMap<Integer, SchemaVersion> versions = subjects.get(subject);
    return versions == null || versions.isEmpty() ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
  }

  /** The version of {@code subject} holding the schema with this canonical form. */
  synchronized Optional<SchemaVersion> find(String subject, String canonical) {
    return versions(subject).stream().filter(v -> v.canonical().equals(canonical)).findFirst();
  }

  /** Every (subject, version) that uses schema {@code id}, by subject name. */
  synchronized List<SchemaVersion> usesOf(int id) {
    List<SchemaVersion> uses = new ArrayList<>();
    for (TreeMap<Integer, SchemaVersion> versions : subjects.values()) {
      versions.values().stream().filter(v -> v.id() == id).forEach(uses::add);
    }
    return uses;
  }

  synchronized CompatibilityLevel globalLevel() {
    return globalLevel;
  }

  synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
    return Optional.ofNullable(subjectLevels.get(subject));
  }

  /** The level that governs {@code subject}: its own, else the global one. */
  synchronized CompatibilityLevel effectiveLevel(String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }
}
