package org.streamdistill.deploy.registry;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the registry does, independent of HTTP: register and look up schemas, list subjects
 * and versions, read and change compatibility levels, test compatibility. Reads come from
 * the {@link RegistryState}; every change goes through the {@link SchemaLog} and is visible
 * here only once the log's reader has applied it.
 */
final class SchemaRegistryService {

  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryService.class);
  /** Attempts when another registry on the same topic takes the version or id we chose. */
  private static final int MAX_REGISTER_ATTEMPTS = 10;

  private final RegistryState state;
  private final SchemaLog log;
  /** Serialises this registry's writes, so it never races with itself. */
  private final ReentrantLock writes = new ReentrantLock();

  SchemaRegistryService(RegistryState state, SchemaLog log) {
    this.state = state;
    this.log = log;
  }

  /** The outcome of a compatibility test. */
  record CompatibilityResult(boolean compatible, List<String> messages) {}

  /**
   * Registers {@code schemaText} under {@code subject}, or returns its id when the subject
   * already holds it. A schema already known under another subject keeps its global id.
   *
   * @throws RegistryError 42201 for an invalid schema, 409 when the subject's level refuses it
   */
  int register(String subject, String schemaText) {
    Schema schema = parse(schemaText);
    String canonical = schema.toString();
    Optional<RegistryState.SchemaVersion> present = state.find(subject, canonical);
    if (present.isPresent()) {
      return present.get().id();
    }
    writes.lock();
    try {
      for (int attempt = 1; attempt <= MAX_REGISTER_ATTEMPTS; attempt++) {
        present = state.find(subject, canonical);
        if (present.isPresent()) {
          return present.get().id();
        }
        List<RegistryState.SchemaVersion> versions = state.versions(subject);
        CompatibilityLevel level = state.effectiveLevel(subject);
        List<String> problems = CompatibilityChecker.check(level, schema, versions);
        if (!problems.isEmpty()) {
          throw RegistryError.incompatible("Schema being registered is incompatible with an earlier schema for subject '"
              + subject + "' (compatibility " + level + "): " + String.join("; ", problems));
        }
        int id = state.idOf(canonical).orElseGet(() -> state.maxId() + 1);
        int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
        var entry = new SchemaLogRecords.SchemaEntry(subject, version, id, canonical);
        log.append(SchemaLogRecords.key(entry), SchemaLogRecords.value(entry));
        Optional<RegistryState.SchemaVersion> applied = state.version(subject, version);
        if (applied.isPresent() && applied.get().id() == id && applied.get().canonical().equals(canonical)) {
          LOG.info("Registered schema id {} as version {} of subject {}", id, version, subject);
          return id;
        }
        LOG.info("Another registry took version {} or id {} of subject {} first; retrying ({}/{})",
            version, id, subject, attempt, MAX_REGISTER_ATTEMPTS);
        // Two registries that lose to each other in lockstep would go on doing so: a random pause,
        // longer at each attempt, lets one of them win the next round.
        try {
          Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(5, 25L * attempt + 6));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    } finally {
      writes.unlock();
    }
    throw RegistryError.storeError("could not register a schema under subject '" + subject + "' after "
        + MAX_REGISTER_ATTEMPTS + " attempts: other registries keep taking the same version", null);
  }

  /**
   * The version of {@code subject} that holds {@code schemaText}.
   *
   * @throws RegistryError 40401 for an unknown subject, 40403 when the subject lacks the schema
   */
  RegistryState.SchemaVersion lookup(String subject, String schemaText) {
    Schema schema = parse(schemaText);
    if (!state.hasSubject(subject)) {
      throw RegistryError.subjectNotFound(subject);
    }
    return state.find(subject, schema.toString())
        .orElseThrow(() -> RegistryError.schemaNotFound("Schema not found under subject '" + subject + "'."));
  }

  Schema schemaById(int id) {
    return state.schemaById(id)
        .orElseThrow(() -> RegistryError.schemaNotFound("Schema " + id + " not found."));
  }

  /** The (subject, version) pairs that use schema {@code id}. */
  List<RegistryState.SchemaVersion> usesOf(int id) {
    schemaById(id);
    return state.usesOf(id);
  }

  List<String> subjects() {
    return state.subjects();
  }

  List<Integer> versions(String subject) {
    List<RegistryState.SchemaVersion> versions = state.versions(subject);
    if (versions.isEmpty()) {
      throw RegistryError.subjectNotFound(subject);
    }
    return versions.stream().map(RegistryState.SchemaVersion::version).toList();
  }

  /**
   * One version of a subject.
   *
   * @param version a positive number, {@code latest} or {@code -1}
   */
  RegistryState.SchemaVersion version(String subject, String version) {
    if (!state.hasSubject(subject)) {
      throw RegistryError.subjectNotFound(subject);
    }
    if (isLatest(version)) {
      return state.latest(subject).orElseThrow(() -> RegistryError.subjectNotFound(subject));
    }
    int number = parseVersion(version);
    return state.version(subject, number).orElseThrow(() -> RegistryError.versionNotFound(subject, number));
  }

  CompatibilityLevel globalLevel() {
    return state.globalLevel();
  }

  /**
   * The subject's own level; with {@code defaultToGlobal} the global level when it has none.
   *
   * @throws RegistryError 40408 when the subject has no level of its own and no fallback was asked
   */
  CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
    Optional<CompatibilityLevel> level = state.subjectLevel(subject);
    if (level.isPresent()) {
      return level.get();
    }
    if (defaultToGlobal) {
      return state.globalLevel();
    }
    throw RegistryError.subjectCompatibilityNotConfigured(subject);
  }

  /** Sets the global level ({@code subject} empty) or a subject's. */
  void setLevel(Optional<String> subject, CompatibilityLevel level) {
    writeConfig(new SchemaLogRecords.ConfigEntry(subject, Optional.of(level)));
    LOG.info("Compatibility of {} set to {}", subject.map(s -> "subject " + s).orElse("the registry"), level);
  }

  /** Removes a subject's own level (it falls back to the global one); returns the removed level. */
  CompatibilityLevel deleteSubjectLevel(String subject) {
    CompatibilityLevel previous = subjectLevel(subject, false);
    writeConfig(new SchemaLogRecords.ConfigEntry(Optional.of(subject), Optional.empty()));
    return previous;
  }

  /**
   * Whether {@code schemaText} could be registered under {@code subject}.
   *
   * @param version a version to test against only (direction from the subject's level), or
   *     null for every version the level covers
   */
  CompatibilityResult testCompatibility(String subject, String version, String schemaText) {
    Schema schema = parse(schemaText);
    CompatibilityLevel level = state.effectiveLevel(subject);
    List<String> problems;
    if (version == null) {
      problems = CompatibilityChecker.check(level, schema, state.versions(subject));
    } else {
      RegistryState.SchemaVersion against = version(subject, version);
      problems = level == CompatibilityLevel.NONE ? List.of() : CompatibilityChecker.checkOne(level, schema, against);
    }
    return new CompatibilityResult(problems.isEmpty(), problems);
  }

  private void writeConfig(SchemaLogRecords.ConfigEntry entry) {
    writes.lock();
    try {
      log.append(SchemaLogRecords.key(entry), SchemaLogRecords.value(entry));
    } finally {
      writes.unlock();
    }
  }

  /** Parses an Avro schema, refusing it with 42201 and the parser's reason. */
  static Schema parse(String schemaText) {
    if (schemaText == null || schemaText.isBlank()) {
      throw RegistryError.invalidSchema("Empty schema: the request needs a \"schema\" field holding Avro JSON");
    }
    try {
      return new Schema.Parser().parse(schemaText);
    } catch (RuntimeException e) {
      // Jackson appends the location on later lines; the first line says what is wrong.
      String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
      throw RegistryError.invalidSchema("Invalid schema: " + reason);
    }
  }

  private static boolean isLatest(String version) {
    return "latest".equals(version) || "-1".equals(version);
  }

  private static int parseVersion(String version) {
    try {
      int number = Integer.parseInt(version);
      if (number >= 1) {
        return number;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the error below
    }
    throw RegistryError.invalidVersion(version);
  }
}
