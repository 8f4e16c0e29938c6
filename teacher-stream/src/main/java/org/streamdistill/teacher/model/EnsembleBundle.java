package org.streamdistill.teacher.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A fitted ensemble teacher on disk: several single-encoder {@link TeacherBundle}s (the
 * members, each a complete bundle that could run alone) and how to combine them
 * ({@link EnsembleLogits}). The directory holds {@value TeacherBundle#MANIFEST_FILE} and
 * {@code members/<index>-<encoder short name>/}, one member bundle each. The manifest carries
 * {@code format_version} ({@value #FORMAT_VERSION}), {@code kind} ({@value #KIND}),
 * {@code teacher_version}, {@code created_at}, {@code temperature} (the distillation
 * temperature), {@code calibration_temperature}, {@code vocabulary} and {@code token_ids_from}
 * (the encoder whose tokenizer produces the token ids of the soft labels; every member shares its
 * vocabulary), {@code labels}, {@code label_set_id}, {@code members} (directory, encoder, teacher
 * version and weight of each) and {@code fit} (the ensemble's {@link FitReport} plus a summary of
 * each member's).
 *
 * <p>The {@code teacher_version} is {@code ensemble-<short names joined by +>-} plus the first 12
 * hex digits of a SHA-256 over the members' teacher versions, their weights, both temperatures
 * and the label set: another member set, another weighting or a re-fitted member gives another
 * version, and {@link #load} rejects a bundle whose content no longer matches it.
 */
public final class EnsembleBundle {

  /** The manifest layout this class writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** The manifest's {@code kind}; single-encoder manifests have none. */
  public static final String KIND = "ensemble";

  private static final String COMBINATION =
      "weighted mean of the members' log-softmax of their calibrated logits, divided by calibration_temperature";

  private final List<TeacherBundle> members;
  private final double[] weights;
  private final double calibrationTemperature;
  private final double temperature;
  private final FitReport fit;
  private final Instant createdAt;
  private final String teacherVersion;

  private EnsembleBundle(List<TeacherBundle> members, double[] weights, double calibrationTemperature,
      double temperature, FitReport fit, Instant createdAt) {
    if (members.size() < 2) {
      throw new IllegalArgumentException("an ensemble needs at least 2 members, got " + members.size());
    }
    if (weights.length != members.size()) {
      throw new IllegalArgumentException(weights.length + " weights for " + members.size() + " members");
    }
    double sum = 0;
    for (double w : weights) {
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("member weights must be finite and >= 0, got " + Arrays.toString(weights));
      }
      sum += w;
    }
    if (Math.abs(sum - 1) > 1e-6) {
      throw new IllegalArgumentException("member weights must sum to 1, got " + Arrays.toString(weights));
    }
    requirePositive("temperature", temperature);
    requirePositive("calibration temperature", calibrationTemperature);
    TeacherBundle primary = members.get(0);
    for (TeacherBundle member : members) {
      if (!member.labelSetId().equals(primary.labelSetId())) {
        throw new IllegalArgumentException("member " + member.teacherVersion() + " has label set "
            + member.labelSetId() + " but " + primary.teacherVersion() + " has " + primary.labelSetId()
            + "; every member must be fitted on the same labels");
      }
      if (!member.encoder().vocabulary().equals(primary.encoder().vocabulary())) {
        throw new IllegalArgumentException("member " + member.encoder().id() + " tokenizes with vocabulary "
            + member.encoder().vocabulary() + " but " + primary.encoder().id() + " with "
            + primary.encoder().vocabulary() + "; the soft labels' token ids need one vocabulary");
      }
    }
    this.members = List.copyOf(members);
    this.weights = weights.clone();
    this.calibrationTemperature = calibrationTemperature;
    this.temperature = temperature;
    this.fit = fit;
    this.createdAt = createdAt;
    this.teacherVersion = contentVersion();
  }

  private static void requirePositive(String what, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(what + " must be > 0, got " + value);
    }
  }

  /**
   * A new ensemble.
   *
   * @param members the member bundles; the first one's tokenizer produces the soft labels' token ids
   * @param weights one per member, &gt;= 0, not all zero; they are scaled to sum to 1
   * @param calibrationTemperature divides the weighted mean of log-probabilities (fitted on the
   *     validation split)
   * @param temperature the distillation temperature of the ensemble's soft labels
   */
  public static EnsembleBundle create(List<TeacherBundle> members, double[] weights, double calibrationTemperature,
      double temperature, FitReport fit, Instant createdAt) {
    double sum = Arrays.stream(weights).sum();
    if (!(sum > 0) || Double.isInfinite(sum)) {
      throw new IllegalArgumentException("member weights must be finite, >= 0 and not all 0, got "
          + Arrays.toString(weights));
    }
    double[] normalised = Arrays.stream(weights).map(w -> w / sum).toArray();
    return new EnsembleBundle(members, normalised, calibrationTemperature, temperature, fit, createdAt);
  }

  public String teacherVersion() {
    return teacherVersion;
  }

  /** The member bundles, in combination order; the first one is the primary. */
  public List<TeacherBundle> members() {
    return members;
  }

  /** Each member's weight, in member order; they sum to 1. */
  public double[] weights() {
    return weights.clone();
  }

  public double calibrationTemperature() {
    return calibrationTemperature;
  }

  public double temperature() {
    return temperature;
  }

  public List<String> labels() {
    return members.get(0).labels();
  }

  public String labelSetId() {
    return members.get(0).labelSetId();
  }

  /** The ensemble's own fit report (its metrics; each member bundle carries its own). */
  public FitReport fit() {
    return fit;
  }

  public Instant createdAt() {
    return createdAt;
  }

  /** This ensemble with another fit report; the version stays (the report does not shape soft labels). */
  public EnsembleBundle withFit(FitReport report) {
    return new EnsembleBundle(members, weights, calibrationTemperature, temperature, report, createdAt);
  }

  /** {@link EnsembleLogits#combine} with this ensemble's weights and calibration. */
  public float[] combine(float[][] memberLogits) {
    return EnsembleLogits.combine(memberLogits, weights, calibrationTemperature);
  }

  /** True if {@code dir} holds a manifest of {@link #KIND} {@value #KIND}. */
  public static boolean isEnsemble(Path dir) throws IOException {
    Path manifest = dir.resolve(TeacherBundle.MANIFEST_FILE);
    if (!Files.isRegularFile(manifest)) {
      return false;
    }
    JsonNode kind = TeacherBundle.readManifest(manifest).get("kind");
    return kind != null && KIND.equals(kind.asText());
  }

  /** Writes the ensemble to {@code dir}, all or nothing, as {@link TeacherBundle#save} does. */
  public void save(Path dir) throws IOException {
    BundleFiles.saveAtomically(dir, staging -> {
      Path membersDir = Files.createDirectory(staging.resolve(BundleFiles.MEMBERS_DIR));
      for (int i = 0; i < members.size(); i++) {
        Path memberDir = Files.createDirectory(membersDir.resolve(memberDirName(i)));
        members.get(i).writeFiles(memberDir);
      }
      BundleFiles.writeDurably(staging.resolve(TeacherBundle.MANIFEST_FILE),
          TeacherBundle.JSON.writeValueAsBytes(manifest()));
    });
  }

  private String memberDirName(int index) {
    return index + "-" + members.get(index).encoder().shortName();
  }

  private ObjectNode manifest() {
    ObjectNode root = TeacherBundle.JSON.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("kind", KIND);
    root.put("teacher_version", teacherVersion);
    root.put("created_at", createdAt.toString());
    root.put("temperature", temperature);
    root.put("combination", COMBINATION);
    root.put("calibration_temperature", calibrationTemperature);
    root.put("vocabulary", members.get(0).encoder().vocabulary());
    root.put("token_ids_from", members.get(0).encoder().id());
    root.put("label_set_id", labelSetId());
    ArrayNode labelArray = root.putArray("labels");
    labels().forEach(labelArray::add);
    ArrayNode memberArray = root.putArray("members");
    for (int i = 0; i < members.size(); i++) {
      ObjectNode member = memberArray.addObject();
      member.put("dir", BundleFiles.MEMBERS_DIR + "/" + memberDirName(i));
      member.put("encoder", members.get(i).encoder().id());
      member.put("teacher_version", members.get(i).teacherVersion());
      member.put("weight", weights[i]);
    }
    ObjectNode fitNode = root.putObject("fit");
    TeacherBundle.writeFit(fitNode, fit);
    ArrayNode summaries = fitNode.putArray("members");
    for (TeacherBundle member : members) {
      ObjectNode summary = summaries.addObject();
      summary.put("encoder", member.encoder().id());
      summary.put("in_scope_test_accuracy", member.fit().inScopeTestAccuracy());
      summary.put("oos_test_recall", member.fit().oosTestRecall());
      summary.put("scoring_turns_per_second", member.fit().scoringTurnsPerSecond());
    }
    return root;
  }

  /**
   * Reads the ensemble in {@code dir}, its member bundles included.
   *
   * @throws InvalidBundleException naming the file and the problem when a file is missing or
   *     malformed, a member is not the one the manifest names, or the content does not match
   *     the version
   */
  public static EnsembleBundle load(Path dir) throws IOException {
    TeacherBundle.Manifest m = TeacherBundle.Manifest.of(dir);
    String kind = m.text(m.root, "kind");
    if (!KIND.equals(kind)) {
      throw m.invalid("'kind' is '" + kind + "', expected '" + KIND + "'");
    }
    m.expectFormat(FORMAT_VERSION, "ensembles");
    String version = m.text(m.root, "teacher_version");
    Instant createdAt = m.createdAt();
    double temperature = m.number(m.root, "temperature");
    double calibrationTemperature = m.number(m.root, "calibration_temperature");
    JsonNode memberArray = m.root.get("members");
    if (memberArray == null || !memberArray.isArray()) {
      throw m.invalid("field 'members' must be an array");
    }
    List<TeacherBundle> members = new ArrayList<>();
    double[] weights = new double[memberArray.size()];
    for (int i = 0; i < memberArray.size(); i++) {
      JsonNode entry = memberArray.get(i);
      Path memberDir = memberDir(m, dir, m.text(entry, "dir"));
      TeacherBundle member = TeacherBundle.load(memberDir);
      String encoder = m.text(entry, "encoder");
      if (!member.encoder().id().equals(encoder)) {
        throw m.invalid("member " + i + " should be fitted on encoder " + encoder + " but " + memberDir
            + " holds a head for " + member.encoder().id());
      }
      String memberVersion = m.text(entry, "teacher_version");
      if (!member.teacherVersion().equals(memberVersion)) {
        throw m.invalid("member " + i + " should be " + memberVersion + " but " + memberDir + " holds "
            + member.teacherVersion() + "; a bundle must not be edited by hand, re-run fit instead");
      }
      members.add(member);
      weights[i] = m.number(entry, "weight");
    }
    String labelSetId = m.text(m.root, "label_set_id");
    List<String> labels = m.labels();
    if (!members.isEmpty() && (!labels.equals(members.get(0).labels()) || !labelSetId.equals(members.get(0).labelSetId()))) {
      throw m.invalid("'labels' / 'label_set_id' " + labelSetId + " differ from the members' (" + members.get(0).labelSetId() + ")");
    }
    EnsembleBundle bundle;
    try {
      bundle = new EnsembleBundle(members, weights, calibrationTemperature, temperature, m.fit(), createdAt);
    } catch (IllegalArgumentException e) {
      throw m.invalid(e.getMessage());
    }
    if (!bundle.teacherVersion.equals(version)) {
      throw m.invalid("'teacher_version' " + version + " does not match the content (which hashes to "
          + bundle.teacherVersion + "); a bundle must not be edited by hand, re-run fit instead");
    }
    return bundle;
  }

  /** A member directory named in the manifest, which must stay inside the ensemble's directory. */
  private static Path memberDir(TeacherBundle.Manifest m, Path dir, String relative) throws InvalidBundleException {
    Path base = dir.toAbsolutePath().normalize();
    Path resolved;
    try {
      resolved = base.resolve(relative).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw m.invalid("member directory '" + relative + "' is not a path");
    }
    if (!resolved.startsWith(base.resolve(BundleFiles.MEMBERS_DIR))) {
      throw m.invalid("member directory '" + relative + "' must lie under " + BundleFiles.MEMBERS_DIR + "/");
    }
    return resolved;
  }

  private String contentVersion() {
    MessageDigest digest = BundleFiles.newSha256();
    StringBuilder header = new StringBuilder(KIND).append('\n').append(temperature).append('\n')
        .append(calibrationTemperature).append('\n').append(labelSetId()).append('\n');
    for (int i = 0; i < members.size(); i++) {
      header.append(members.get(i).teacherVersion()).append(' ').append(weights[i]).append('\n');
    }
    digest.update(header.toString().getBytes(StandardCharsets.UTF_8));
    String names = members.stream().map(b -> b.encoder().shortName()).collect(Collectors.joining("+"));
    return KIND + "-" + names + "-" + HexFormat.of().formatHex(digest.digest()).substring(0, 12);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "EnsembleBundle[%s, %d members, weights %s, T=%s, T_cal=%.3f, %d labels]",
        teacherVersion, members.size(), Arrays.toString(weights), temperature, calibrationTemperature,
        labels().size());
  }
}
