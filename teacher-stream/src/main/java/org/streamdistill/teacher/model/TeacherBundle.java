package org.streamdistill.teacher.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fitted teacher on disk: the directory {@code fit} writes and the Flink job loads. Two files:
 *
 * <ul>
 *   <li>{@value #MANIFEST_FILE}: JSON with {@code format_version} ({@value #FORMAT_VERSION}),
 *       {@code teacher_version}, {@code created_at}, {@code encoder} (an {@link EncoderId#id()}),
 *       {@code dimension}, {@code temperature}, {@code labels}, {@code label_set_id},
 *       {@code head} (how {@value #HEAD_FILE} is laid out, and its SHA-256) and {@code fit} (a
 *       {@link FitReport}).
 *   <li>{@value #HEAD_FILE}: the head's parameters as raw IEEE-754 float32, <b>little-endian</b>,
 *       no header: the weights row by row ({@code labels x dimension}, row {@code c} scores
 *       label {@code c}), then the bias ({@code labels} floats). Numpy reads it with
 *       {@code np.fromfile(f, '<f4')}.
 * </ul>
 *
 * <p>The {@code teacher_version} is {@code <encoder short name>-head-} plus the first 12 hex
 * digits of a SHA-256 over everything that shapes the soft labels (encoder, temperature, label
 * set, head parameters). Equal versions therefore mean equal soft labels, and {@link #load}
 * rejects a bundle whose content no longer matches its version (a hand-edited temperature, say).
 * The {@code label_set_id} is the first 16 hex digits of the SHA-256 of the labels joined by
 * {@code "\n"}: consumers compare it to make sure index {@code i} means the same label to both.
 */
public final class TeacherBundle {

  /** The manifest layout this class writes and reads. */
  public static final int FORMAT_VERSION = 1;
  public static final String MANIFEST_FILE = "bundle.json";
  public static final String HEAD_FILE = "head.bin";

  private static final String HEAD_DTYPE = "float32";
  private static final String HEAD_BYTE_ORDER = "little-endian";
  private static final String HEAD_LAYOUT = "weights row-major [labels][dimension], then bias [labels]";
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String teacherVersion;
  private final Instant createdAt;
  private final EncoderId encoder;
  private final double temperature;
  private final List<String> labels;
  private final Map<String, Integer> labelIndex;
  private final String labelSetId;
  private final SoftmaxHead head;
  private final FitReport fit;

  private TeacherBundle(EncoderId encoder, double temperature, List<String> labels, SoftmaxHead head,
      FitReport fit, Instant createdAt) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    if (labels.size() != head.classes()) {
      throw new IllegalArgumentException(labels.size() + " labels for a head with "
          + head.classes() + " classes");
    }
    if (head.dimension() != encoder.dimension()) {
      throw new IllegalArgumentException("head takes " + head.dimension() + "-d input but encoder "
          + encoder.id() + " produces " + encoder.dimension() + "-d embeddings");
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      String label = labels.get(i);
      if (label == null || label.isEmpty()) {
        throw new IllegalArgumentException("label " + i + " is empty");
      }
      if (index.putIfAbsent(label, i) != null) {
        throw new IllegalArgumentException("label '" + label + "' appears twice");
      }
    }
    this.encoder = encoder;
    this.temperature = temperature;
    this.labels = List.copyOf(labels);
    this.labelIndex = Collections.unmodifiableMap(index);
    this.labelSetId = labelSetId(labels);
    this.head = head;
    this.fit = fit;
    this.createdAt = createdAt;
    this.teacherVersion = contentVersion(encoder, temperature, labelSetId, headBytes(head));
  }

  /**
   * A new bundle.
   *
   * @param temperature the distillation temperature: soft labels are
   *     {@code softmax(logits / temperature)}
   * @param labels label names in head order
   * @throws IllegalArgumentException if the parts do not fit together
   */
  public static TeacherBundle create(EncoderId encoder, double temperature, List<String> labels,
      SoftmaxHead head, FitReport fit, Instant createdAt) {
    return new TeacherBundle(encoder, temperature, labels, head, fit, createdAt);
  }

  /** First 16 hex digits of the SHA-256 of {@code labels} joined by {@code "\n"}. */
  public static String labelSetId(List<String> labels) {
    byte[] digest = BundleFiles.sha256(String.join("\n", labels).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest).substring(0, 16);
  }

  public String teacherVersion() {
    return teacherVersion;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public EncoderId encoder() {
    return encoder;
  }

  public double temperature() {
    return temperature;
  }

  /** Label names; index {@code i} names logit {@code i}. */
  public List<String> labels() {
    return labels;
  }

  /** Index of {@code label}, or -1 if the bundle does not know it. */
  public int labelIndex(String label) {
    return labelIndex.getOrDefault(label, -1);
  }

  public String labelSetId() {
    return labelSetId;
  }

  public SoftmaxHead head() {
    return head;
  }

  public FitReport fit() {
    return fit;
  }

  /**
   * Writes the bundle to {@code dir}, all or nothing: the files go to a temporary sibling
   * directory that is then renamed to {@code dir}. An existing bundle at {@code dir} is
   * replaced (renamed aside, then deleted); any other existing non-empty directory is refused,
   * so a mistyped {@code --out} cannot delete someone's files.
   */
  public void save(Path dir) throws IOException {
    BundleFiles.saveAtomically(dir, this::writeFiles);
  }

  /** Writes {@value #HEAD_FILE} and {@value #MANIFEST_FILE} into the (empty) directory {@code dir}. */
  void writeFiles(Path dir) throws IOException {
    byte[] head = headBytes(this.head);
    BundleFiles.writeDurably(dir.resolve(HEAD_FILE), head);
    BundleFiles.writeDurably(dir.resolve(MANIFEST_FILE), JSON.writeValueAsBytes(manifest(head)));
  }

  private ObjectNode manifest(byte[] head) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("teacher_version", teacherVersion);
    root.put("created_at", createdAt.toString());
    root.put("encoder", encoder.id());
    root.put("dimension", this.head.dimension());
    root.put("temperature", temperature);
    root.put("label_set_id", labelSetId);
    ArrayNode labelArray = root.putArray("labels");
    labels.forEach(labelArray::add);
    ObjectNode headNode = root.putObject("head");
    headNode.put("file", HEAD_FILE);
    headNode.put("dtype", HEAD_DTYPE);
    headNode.put("byte_order", HEAD_BYTE_ORDER);
    headNode.put("layout", HEAD_LAYOUT);
    headNode.put("sha256", HexFormat.of().formatHex(BundleFiles.sha256(head)));
    writeFit(root.putObject("fit"), fit);
    return root;
  }

  /** The {@code fit} object of a manifest; {@link Manifest#fit} reads it back. */
  static void writeFit(ObjectNode fitNode, FitReport fit) {
    fitNode.put("train_examples", fit.trainExamples());
    fitNode.put("calibration_examples", fit.calibrationExamples());
    fitNode.put("test_examples", fit.testExamples());
    fitNode.put("in_scope_test_accuracy", fit.inScopeTestAccuracy());
    fitNode.put("oos_test_recall", fit.oosTestRecall());
    fitNode.put("mean_test_entropy_nats", fit.meanTestEntropyNats());
    fitNode.put("mean_test_top_probability", fit.meanTestTopProbability());
    fitNode.put("calibration_temperature", fit.calibrationTemperature());
    fitNode.put("scoring_turns_per_second", fit.scoringTurnsPerSecond());
    ObjectNode settings = fitNode.putObject("settings");
    fit.settings().forEach(settings::put);
  }

  /**
   * Reads the bundle in {@code dir}.
   *
   * @throws InvalidBundleException naming the file and the problem when a file is missing,
   *     malformed, or disagrees with the manifest
   * @throws IOException if a file cannot be read
   */
  public static TeacherBundle load(Path dir) throws IOException {
    Manifest m = Manifest.of(dir);
    JsonNode kind = m.root.get("kind");
    if (kind != null && EnsembleBundle.KIND.equals(kind.asText())) {
      throw m.invalid("holds an ensemble teacher (" + m.root.path("teacher_version").asText("?") + "), not a "
          + "single-encoder bundle; open it with BundledTeacher.open (the teacher job's teacher.bundle does), "
          + "or pass one of its " + BundleFiles.MEMBERS_DIR + "/* directories");
    }
    m.expectFormat(FORMAT_VERSION, "single-encoder bundles");
    String version = m.text(m.root, "teacher_version");
    Instant createdAt = m.createdAt();
    EncoderId encoder;
    try {
      encoder = EncoderId.fromId(m.text(m.root, "encoder"));
    } catch (IllegalArgumentException e) {
      throw m.invalid(e.getMessage());
    }
    int dimension = m.integer(m.root, "dimension");
    if (dimension != encoder.dimension()) {
      throw m.invalid("'dimension' is " + dimension + " but encoder " + encoder.id()
          + " produces " + encoder.dimension());
    }
    double temperature = m.number(m.root, "temperature");
    if (!(temperature > 0)) {
      throw m.invalid("'temperature' must be > 0, got " + temperature);
    }
    List<String> labels = m.labels();
    String labelSetId = m.text(m.root, "label_set_id");
    if (!labelSetId.equals(labelSetId(labels))) {
      throw m.invalid("'label_set_id' " + labelSetId + " does not match the labels listed (their id is "
          + labelSetId(labels) + ")");
    }
    JsonNode headNode = m.object(m.root, "head");
    m.expect(headNode, "file", HEAD_FILE);
    m.expect(headNode, "dtype", HEAD_DTYPE);
    m.expect(headNode, "byte_order", HEAD_BYTE_ORDER);
    String headSha = m.text(headNode, "sha256");
    FitReport fit = m.fit();

    Path headFile = dir.resolve(HEAD_FILE);
    SoftmaxHead head = readHead(headFile, labels.size(), dimension, headSha);
    TeacherBundle bundle;
    try {
      bundle = new TeacherBundle(encoder, temperature, labels, head, fit, createdAt);
    } catch (IllegalArgumentException e) {
      throw m.invalid(e.getMessage());
    }
    if (!bundle.teacherVersion.equals(version)) {
      throw m.invalid("'teacher_version' " + version + " does not match the content (which hashes to "
          + bundle.teacherVersion + "); a bundle must not be edited by hand, re-run fit instead");
    }
    return bundle;
  }

  static JsonNode readManifest(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidBundleException(file, "missing; a teacher bundle holds " + MANIFEST_FILE
          + " and " + HEAD_FILE);
    }
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root == null || !root.isObject()) {
        throw new InvalidBundleException(file, "must hold a JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new InvalidBundleException(file, "not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static SoftmaxHead readHead(Path file, int classes, int dimension, String expectedSha)
      throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidBundleException(file, "missing; the manifest names it as the head's parameters");
    }
    long expectedBytes = 4L * ((long) classes * dimension + classes);
    if (bytes.length != expectedBytes) {
      throw new InvalidBundleException(file, "holds " + bytes.length + " bytes, expected "
          + expectedBytes + " (" + classes + " x " + dimension + " weights + " + classes
          + " biases as float32)");
    }
    String sha = HexFormat.of().formatHex(BundleFiles.sha256(bytes));
    if (!sha.equalsIgnoreCase(expectedSha)) {
      throw new InvalidBundleException(file, "SHA-256 is " + sha + " but " + MANIFEST_FILE
          + " expects " + expectedSha + "; the file is corrupt or belongs to another bundle");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[][] weights = new float[classes][dimension];
    float[] bias = new float[classes];
    for (int c = 0; c < classes; c++) {
      for (int d = 0; d < dimension; d++) {
        weights[c][d] = finite(buffer.getFloat(), file, "weight [" + c + "][" + d + "]");
      }
    }
    for (int c = 0; c < classes; c++) {
      bias[c] = finite(buffer.getFloat(), file, "bias [" + c + "]");
    }
    return new SoftmaxHead(weights, bias);
  }

  private static float finite(float value, Path file, String what) throws InvalidBundleException {
    if (!Float.isFinite(value)) {
      throw new InvalidBundleException(file, what + " is " + value);
    }
    return value;
  }

  static byte[] headBytes(SoftmaxHead head) {
    int classes = head.classes();
    int dimension = head.dimension();
    ByteBuffer buffer = ByteBuffer.allocate(4 * (classes * dimension + classes)).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : head.weights()) {
      for (float w : row) {
        buffer.putFloat(w);
      }
    }
    for (float b : head.bias()) {
      buffer.putFloat(b);
    }
    return buffer.array();
  }

  /** This bundle with another fit report; the report does not shape soft labels, so the version stays. */
  public TeacherBundle withFit(FitReport report) {
    return new TeacherBundle(encoder, temperature, labels, head, report, createdAt);
  }

  private static String contentVersion(EncoderId encoder, double temperature, String labelSetId, byte[] head) {
    MessageDigest digest = BundleFiles.newSha256();
    String header = encoder.id() + "\n" + temperature + "\n" + labelSetId + "\n";
    digest.update(header.getBytes(StandardCharsets.UTF_8));
    digest.update(head);
    return encoder.shortName() + "-head-" + HexFormat.of().formatHex(digest.digest()).substring(0, 12);
  }

  @Override
  public String toString() {
    return "TeacherBundle[" + teacherVersion + ", " + encoder.id() + ", T=" + temperature + ", "
        + labels.size() + " labels, label set " + labelSetId + "]";
  }

  /** Typed, message-producing access to the manifest's fields. */
  static final class Manifest {
    final Path file;
    final JsonNode root;

    Manifest(Path file, JsonNode root) {
      this.file = file;
      this.root = root;
    }

    /** The manifest of the bundle in {@code dir}, refused when {@code dir} is not a directory or has none. */
    static Manifest of(Path dir) throws IOException {
      if (!Files.isDirectory(dir)) {
        throw new InvalidBundleException(dir, "not a directory; pass the directory that 'fit' wrote");
      }
      Path file = dir.resolve(MANIFEST_FILE);
      return new Manifest(file, readManifest(file));
    }

    /** Refuses a {@code format_version} other than {@code supported}; {@code what} names the bundle kind. */
    void expectFormat(int supported, String what) throws InvalidBundleException {
      int formatVersion = integer(root, "format_version");
      if (formatVersion != supported) {
        throw invalid("format_version " + formatVersion + " is not supported; this build reads " + what + " of "
            + supported);
      }
    }

    /** The {@code created_at} instant. */
    Instant createdAt() throws InvalidBundleException {
      try {
        return Instant.parse(text(root, "created_at"));
      } catch (DateTimeParseException e) {
        throw invalid("'created_at' is not an ISO-8601 instant: " + root.get("created_at"));
      }
    }

    InvalidBundleException invalid(String problem) {
      return new InvalidBundleException(file, problem);
    }

    private JsonNode field(JsonNode node, String name) throws InvalidBundleException {
      JsonNode value = node.get(name);
      if (value == null || value.isNull()) {
        throw invalid("field '" + name + "' is missing");
      }
      return value;
    }

    String text(JsonNode node, String name) throws InvalidBundleException {
      JsonNode value = field(node, name);
      if (!value.isTextual()) {
        throw invalid("field '" + name + "' must be a string, got " + value);
      }
      return value.textValue();
    }

    int integer(JsonNode node, String name) throws InvalidBundleException {
      JsonNode value = field(node, name);
      if (!value.isIntegralNumber() || !value.canConvertToInt()) {
        throw invalid("field '" + name + "' must be an integer, got " + value);
      }
      return value.intValue();
    }

    double number(JsonNode node, String name) throws InvalidBundleException {
      JsonNode value = field(node, name);
      if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
        throw invalid("field '" + name + "' must be a finite number, got " + value);
      }
      return value.doubleValue();
    }

    /** A number, or NaN (which Jackson writes as the string "NaN") for a metric with no examples. */
    double metric(JsonNode node, String name) throws InvalidBundleException {
      JsonNode value = field(node, name);
      if (value.isNumber()) {
        return value.doubleValue();
      }
      if (value.isTextual() && "NaN".equals(value.textValue())) {
        return Double.NaN;
      }
      throw invalid("field 'fit." + name + "' must be a number, got " + value);
    }

    JsonNode object(JsonNode node, String name) throws InvalidBundleException {
      JsonNode value = field(node, name);
      if (!value.isObject()) {
        throw invalid("field '" + name + "' must be an object, got " + value);
      }
      return value;
    }

    void expect(JsonNode node, String name, String expected) throws InvalidBundleException {
      String actual = text(node, name);
      if (!actual.equals(expected)) {
        throw invalid("head." + name + " is '" + actual + "', this build only reads '" + expected + "'");
      }
    }

    List<String> labels() throws InvalidBundleException {
      JsonNode array = field(root, "labels");
      if (!array.isArray() || array.isEmpty()) {
        throw invalid("field 'labels' must be a non-empty array of strings");
      }
      List<String> labels = new ArrayList<>(array.size());
      for (JsonNode label : array) {
        if (!label.isTextual()) {
          throw invalid("field 'labels' holds a non-string entry " + label);
        }
        labels.add(label.textValue());
      }
      return labels;
    }

    FitReport fit() throws InvalidBundleException {
      JsonNode node = object(root, "fit");
      Map<String, String> settings = new LinkedHashMap<>();
      JsonNode settingsNode = object(node, "settings");
      for (Map.Entry<String, JsonNode> entry : settingsNode.properties()) {
        settings.put(entry.getKey(), entry.getValue().asText());
      }
      return new FitReport(
          integer(node, "train_examples"),
          integer(node, "calibration_examples"),
          integer(node, "test_examples"),
          metric(node, "in_scope_test_accuracy"),
          metric(node, "oos_test_recall"),
          metric(node, "mean_test_entropy_nats"),
          metric(node, "mean_test_top_probability"),
          metric(node, "calibration_temperature"),
          settings,
          node.has("scoring_turns_per_second") ? metric(node, "scoring_turns_per_second") : Double.NaN);
    }
  }
}
