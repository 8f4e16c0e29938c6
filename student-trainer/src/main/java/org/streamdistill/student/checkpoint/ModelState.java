package org.streamdistill.student.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamdistill.student.model.TextCnn;
import org.streamdistill.student.model.TextCnnConfig;
import org.streamdistill.student.optim.Adam;
import org.streamdistill.student.optim.Parameter;

/**
 * A snapshot of everything needed to resume training bit-for-bit: the {@link TextCnn}'s config,
 * weights and dropout generator state, the {@link Adam} optimizer's settings, step count and
 * moments (optional), and string metadata chosen by the caller (samples seen, consumer offsets,
 * label set id, ...). Consumes a live model and optimizer ({@link #capture} deep-copies them, so
 * training may continue while the snapshot is written); produces a file or byte stream, and
 * reads one back.
 *
 * <h2>Format, version 2 (all numbers big-endian)</h2>
 *
 * <pre>
 * header   magic        8 bytes  ASCII "SDSTUDNT"
 *          version      int32    2 (version 1, still read, ends after the optimizer)
 *          payloadSize  int64    number of payload bytes that follow
 * payload  config       int32 vocabSize, int32 embeddingDim, int32 widthCount,
 *                       int32 x widthCount filterWidths, int32 filtersPerWidth, int32 maxTokens,
 *                       int32 numClasses, float32 dropout, uint8 stripSpecialTokens (0/1),
 *                       int64 seed
 *          randomState  int64    dropout generator state
 *          metadata     int32 count, then count x (string key, string value)
 *          tensors      int32 count, then count x (string name, int32 rank, int32 x rank dims,
 *                       float32 x prod(dims) values, row-major as documented on TextCnn)
 *          optimizer    uint8 0 = none, 1 = present; if present: string kind ("adam"),
 *                       float64 learningRate, beta1, beta2, epsilon, maxGradientNorm,
 *                       int64 step, int32 count, then count x (string parameter name,
 *                       int32 length, float32 x length first moments, float32 x length second)
 *          sections     int32 count, then count x (string name, int32 length, length bytes):
 *                       state of the caller's own (the trainer's replay memory), opaque here
 * trailer  crc32        int32    CRC-32 of the payload bytes
 * string = int32 byte length + UTF-8 bytes
 * </pre>
 *
 * The default-size model (30522 x 64 embedding) with Adam state is about 25 MB: 1/3 weights,
 * 2/3 moments. Reading checks, in this order, the header, that exactly {@code payloadSize + 4}
 * bytes follow (a shorter file is reported as truncated), the checksum (reported as corrupt),
 * then that every tensor has the shape the config implies.
 */
public final class ModelState {

  private static final Logger LOG = LoggerFactory.getLogger(ModelState.class);

  /** First bytes of every checkpoint file. */
  public static final String MAGIC = "SDSTUDNT";
  /** The format version this class writes and reads. */
  public static final int FORMAT_VERSION = 2;
  /** The oldest format version this class still reads (it has no sections). */
  public static final int OLDEST_READABLE_VERSION = 1;

  private static final byte[] MAGIC_BYTES = MAGIC.getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER_SIZE = MAGIC_BYTES.length + 4 + 8;
  private static final int TRAILER_SIZE = 4;
  private static final String ADAM = "adam";
  private static final int MAX_STRING_BYTES = 1 << 20;

  private final TextCnn model;
  private final Adam optimizer;
  private final Map<String, String> metadata;
  private final Map<String, byte[]> sections;

  private ModelState(TextCnn model, Adam optimizer, Map<String, String> metadata, Map<String, byte[]> sections) {
    this.model = model;
    this.optimizer = optimizer;
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    Map<String, byte[]> copy = new LinkedHashMap<>();
    sections.forEach((name, bytes) -> copy.put(name, bytes.clone()));
    this.sections = Collections.unmodifiableMap(copy);
  }

  /**
   * Deep-copies the model, the optimizer (may be null, e.g. for an export of a champion) and
   * the metadata, so that the caller can keep training while this state is written.
   */
  public static ModelState capture(TextCnn model, Adam optimizerOrNull,
      Map<String, String> metadata) {
    return capture(model, optimizerOrNull, metadata, Map.of());
  }

  /** {@link #capture(TextCnn, Adam, Map)} with named binary sections of the caller's own state (copied). */
  public static ModelState capture(TextCnn model, Adam optimizerOrNull,
      Map<String, String> metadata, Map<String, byte[]> sections) {
    return new ModelState(model.copy(), optimizerOrNull == null ? null : optimizerOrNull.copy(),
        metadata, sections);
  }

  /**
   * The model held by this state (not a copy: after {@link #read} it is the model to resume
   * training with).
   */
  public TextCnn model() {
    return model;
  }

  /** The optimizer held by this state (not a copy), if one was captured. */
  public Optional<Adam> optimizer() {
    return Optional.ofNullable(optimizer);
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** The named binary sections (none in a version-1 file); the arrays must not be modified. */
  public Map<String, byte[]> sections() {
    return sections;
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes the state to {@code file} so that the file holds either its previous content or the
   * complete new state, even across a crash: write to a temporary file in the same directory,
   * fsync it, rename it over {@code file} atomically, fsync the directory.
   */
  public void writeAtomically(Path file) throws IOException {
    Path target = file.toAbsolutePath();
    Path directory = target.getParent();
    Files.createDirectories(directory);
    Path temp = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        writeTo(Channels.newOutputStream(channel));
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + target + " atomically on this file system; "
            + "put checkpoints on a local file system", e);
      }
      moved = true;
      fsyncDirectory(directory);
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** The serialised state (see the class documentation for the format). */
  public byte[] toBytes() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeTo(out);
    return out.toByteArray();
  }

  /** Writes the serialised state to {@code out} (not closed). */
  public void writeTo(OutputStream out) throws IOException {
    PayloadBuffer payload = new PayloadBuffer(estimatePayloadSize());
    writePayload(new DataOutputStream(payload));
    CRC32 crc = new CRC32();
    crc.update(payload.array(), 0, payload.size());

    ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
    header.put(MAGIC_BYTES).putInt(FORMAT_VERSION).putLong(payload.size());
    out.write(header.array());
    payload.writeTo(out);
    out.write(ByteBuffer.allocate(TRAILER_SIZE).putInt((int) crc.getValue()).array());
    out.flush();
  }

  private void writePayload(DataOutputStream out) throws IOException {
    TextCnnConfig c = model.config();
    out.writeInt(c.vocabSize());
    out.writeInt(c.embeddingDim());
    out.writeInt(c.filterWidths().size());
    for (int w : c.filterWidths()) {
      out.writeInt(w);
    }
    out.writeInt(c.filtersPerWidth());
    out.writeInt(c.maxTokens());
    out.writeInt(c.numClasses());
    out.writeFloat(c.dropout());
    out.writeByte(c.stripSpecialTokens() ? 1 : 0);
    out.writeLong(c.seed());
    out.writeLong(model.randomState());

    out.writeInt(metadata.size());
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      writeString(out, e.getKey());
      writeString(out, e.getValue());
    }

    List<Parameter> parameters = model.parameters();
    out.writeInt(parameters.size());
    for (Parameter p : parameters) {
      writeString(out, p.name());
      int[] shape = p.shape();
      out.writeInt(shape.length);
      for (int d : shape) {
        out.writeInt(d);
      }
      writeFloats(out, p.values());
    }

    writeOptimizer(out);
    out.writeInt(sections.size());
    for (Map.Entry<String, byte[]> e : sections.entrySet()) {
      writeString(out, e.getKey());
      out.writeInt(e.getValue().length);
      out.write(e.getValue());
    }
    out.flush();
  }

  private void writeOptimizer(DataOutputStream out) throws IOException {
    if (optimizer == null) {
      out.writeByte(0);
      return;
    }
    out.writeByte(1);
    writeString(out, ADAM);
    Adam.Settings s = optimizer.settings();
    out.writeDouble(s.learningRate());
    out.writeDouble(s.beta1());
    out.writeDouble(s.beta2());
    out.writeDouble(s.epsilon());
    out.writeDouble(s.maxGradientNorm());
    Adam.State state = optimizer.exportState();
    out.writeLong(state.step());
    out.writeInt(state.firstMoments().size());
    for (Map.Entry<String, float[]> e : state.firstMoments().entrySet()) {
      writeString(out, e.getKey());
      out.writeInt(e.getValue().length);
      writeFloats(out, e.getValue());
      writeFloats(out, state.secondMoments().get(e.getKey()));
    }
  }

  private int estimatePayloadSize() {
    long floats = 0;
    for (Parameter p : model.parameters()) {
      floats += p.size();
    }
    if (optimizer != null) {
      floats *= 3;
    }
    long sectionBytes = 0;
    for (byte[] b : sections.values()) {
      sectionBytes += b.length;
    }
    return (int) Math.min(Integer.MAX_VALUE - 64, floats * 4 + sectionBytes + 64 * 1024);
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_STRING_BYTES) {
      throw new IllegalArgumentException("checkpoint strings are limited to " + MAX_STRING_BYTES
          + " bytes, got " + bytes.length + " bytes starting '" + s.substring(0, 40) + "'");
    }
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  /** Bulk float writer: DataOutputStream.writeFloat per value is ~10x slower for 2M values. */
  private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
    int chunk = 16 * 1024;
    ByteBuffer bytes = ByteBuffer.allocate(chunk * 4);
    for (int from = 0; from < values.length; from += chunk) {
      int n = Math.min(chunk, values.length - from);
      bytes.clear();
      bytes.asFloatBuffer().put(values, from, n);
      out.write(bytes.array(), 0, n * 4);
    }
  }

  private static void fsyncDirectory(Path directory) {
    // Makes the rename itself durable on Linux; some platforms cannot open a directory.
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("Could not fsync directory {}: {}", directory, e.toString());
    }
  }

  /** A ByteArrayOutputStream whose buffer can be checksummed and written without a copy. */
  private static final class PayloadBuffer extends ByteArrayOutputStream {
    PayloadBuffer(int capacity) {
      super(capacity);
    }

    byte[] array() {
      return buf;
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads a checkpoint file.
   *
   * @throws CorruptCheckpointException if the file is truncated, fails its checksum or is not a
   *     consistent version-1 student checkpoint; the message names the file and the reason
   */
  public static ModelState read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      return parse(bytes);
    } catch (CorruptCheckpointException e) {
      throw new CorruptCheckpointException("checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a checkpoint from {@code in}, which must end where the checkpoint ends. */
  public static ModelState readFrom(InputStream in) throws IOException {
    return parse(in.readAllBytes());
  }

  /** Reads a checkpoint from its bytes. */
  public static ModelState fromBytes(byte[] bytes) throws CorruptCheckpointException {
    return parse(bytes);
  }

  private static ModelState parse(byte[] bytes) throws CorruptCheckpointException {
    if (bytes.length < HEADER_SIZE) {
      if (bytes.length >= MAGIC_BYTES.length && !startsWithMagic(bytes)) {
        throw notACheckpoint(bytes);
      }
      throw new CorruptCheckpointException("truncated: " + bytes.length
          + " bytes is shorter than the " + HEADER_SIZE + "-byte header");
    }
    if (!startsWithMagic(bytes)) {
      throw notACheckpoint(bytes);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    in.position(MAGIC_BYTES.length);
    int version = in.getInt();
    if (version < OLDEST_READABLE_VERSION || version > FORMAT_VERSION) {
      throw new CorruptCheckpointException("format version " + version
          + " is not supported; this build reads versions " + OLDEST_READABLE_VERSION + " to " + FORMAT_VERSION);
    }
    long payloadSize = in.getLong();
    long expected = HEADER_SIZE + payloadSize + TRAILER_SIZE;
    if (payloadSize < 0 || bytes.length < expected) {
      throw new CorruptCheckpointException("truncated: the header announces " + payloadSize
          + " payload bytes plus a " + TRAILER_SIZE + "-byte checksum (" + expected
          + " bytes in all) but there are only " + bytes.length
          + " bytes; the write was interrupted, use an older checkpoint");
    }
    if (bytes.length > expected) {
      throw new CorruptCheckpointException((bytes.length - expected)
          + " unexpected bytes after the checksum (expected " + expected + " bytes in all)");
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, HEADER_SIZE, (int) payloadSize);
    int stored = ByteBuffer.wrap(bytes, (int) (HEADER_SIZE + payloadSize), TRAILER_SIZE).getInt();
    if (stored != (int) crc.getValue()) {
      throw new CorruptCheckpointException(String.format(
          "checksum mismatch (stored %08x, computed %08x): the content is corrupt, use an older "
              + "checkpoint", stored, (int) crc.getValue()));
    }
    ByteBuffer payload = ByteBuffer.wrap(bytes, HEADER_SIZE, (int) payloadSize).slice();
    try {
      ModelState state = parsePayload(payload, version);
      if (payload.hasRemaining()) {
        throw new CorruptCheckpointException(
            payload.remaining() + " unexplained bytes at the end of the payload");
      }
      return state;
    } catch (BufferUnderflowException e) {
      throw new CorruptCheckpointException(
          "the payload ends in the middle of a field although its checksum matches", e);
    } catch (IllegalArgumentException e) {
      throw new CorruptCheckpointException("inconsistent content: " + e.getMessage(), e);
    }
  }

  private static ModelState parsePayload(ByteBuffer in, int version) throws CorruptCheckpointException {
    int vocabSize = in.getInt();
    int embeddingDim = in.getInt();
    int widthCount = count(in, "filter width", 4);
    List<Integer> widths = new ArrayList<>();
    for (int i = 0; i < widthCount; i++) {
      widths.add(in.getInt());
    }
    TextCnnConfig config = new TextCnnConfig(vocabSize, embeddingDim, widths, in.getInt(),
        in.getInt(), in.getInt(), in.getFloat(), in.get() != 0, in.getLong());
    long randomState = in.getLong();

    Map<String, String> metadata = new LinkedHashMap<>();
    int metadataCount = count(in, "metadata entry", 8);
    for (int i = 0; i < metadataCount; i++) {
      metadata.put(readString(in), readString(in));
    }

    Map<String, int[]> shapes = TextCnn.tensorShapes(config);
    int tensorCount = count(in, "tensor", 8);
    Map<String, float[]> weights = new LinkedHashMap<>();
    for (int i = 0; i < tensorCount; i++) {
      String name = readString(in);
      int rank = count(in, "dimension", 4);
      int[] dims = new int[rank];
      for (int d = 0; d < rank; d++) {
        dims[d] = in.getInt();
      }
      int[] expected = shapes.get(name);
      if (expected == null) {
        throw new CorruptCheckpointException("tensor '" + name + "' is not part of a TextCNN with "
            + "this config, whose tensors are " + shapes.keySet());
      }
      if (!Arrays.equals(dims, expected)) {
        throw new CorruptCheckpointException("tensor " + name + " has shape "
            + Arrays.toString(dims) + " but the config implies " + Arrays.toString(expected));
      }
      weights.put(name, readFloats(in, Arrays.stream(dims).reduce(1, (a, b) -> a * b)));
    }
    TextCnn model = TextCnn.fromWeights(config, weights);
    model.setRandomState(randomState);

    Adam optimizer = null;
    if (in.get() != 0) {
      String kind = readString(in);
      if (!ADAM.equals(kind)) {
        throw new CorruptCheckpointException("unknown optimizer kind '" + kind + "'");
      }
      Adam.Settings settings = new Adam.Settings(in.getDouble(), in.getDouble(), in.getDouble(),
          in.getDouble(), in.getDouble());
      long step = in.getLong();
      int momentCount = count(in, "optimizer moment", 8);
      Map<String, float[]> first = new LinkedHashMap<>();
      Map<String, float[]> second = new LinkedHashMap<>();
      for (int i = 0; i < momentCount; i++) {
        String name = readString(in);
        int length = count(in, "moment value", 8);
        int[] shape = shapes.get(name);
        if (shape == null || Arrays.stream(shape).reduce(1, (a, b) -> a * b) != length) {
          throw new CorruptCheckpointException("optimizer moments of '" + name + "' ("
              + length + " values) match no tensor of the model");
        }
        first.put(name, readFloats(in, length));
        second.put(name, readFloats(in, length));
      }
      optimizer = Adam.restore(settings, new Adam.State(step, first, second));
    }
    Map<String, byte[]> sections = new LinkedHashMap<>();
    if (version >= 2) {
      int sectionCount = count(in, "section", 8);
      for (int i = 0; i < sectionCount; i++) {
        String name = readString(in);
        int length = count(in, "section byte", 1);
        byte[] bytes = new byte[length];
        in.get(bytes);
        sections.put(name, bytes);
      }
    }
    return new ModelState(model, optimizer, metadata, sections);
  }

  /** Reads a non-negative count, refusing one that cannot fit in the remaining bytes. */
  private static int count(ByteBuffer in, String what, int minBytesEach)
      throws CorruptCheckpointException {
    int n = in.getInt();
    if (n < 0 || (long) n * minBytesEach > in.remaining()) {
      throw new CorruptCheckpointException("implausible " + what + " count " + n + " with "
          + in.remaining() + " bytes left");
    }
    return n;
  }

  private static String readString(ByteBuffer in) throws CorruptCheckpointException {
    int length = in.getInt();
    if (length < 0 || length > MAX_STRING_BYTES || length > in.remaining()) {
      throw new CorruptCheckpointException("implausible string length " + length);
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static float[] readFloats(ByteBuffer in, int n) throws CorruptCheckpointException {
    if ((long) n * 4 > in.remaining()) {
      throw new CorruptCheckpointException(
          n + " floats announced but only " + in.remaining() + " bytes left");
    }
    float[] values = new float[n];
    in.asFloatBuffer().get(values);
    in.position(in.position() + n * 4);
    return values;
  }

  private static boolean startsWithMagic(byte[] bytes) {
    return Arrays.equals(bytes, 0, MAGIC_BYTES.length, MAGIC_BYTES, 0, MAGIC_BYTES.length);
  }

  private static CorruptCheckpointException notACheckpoint(byte[] bytes) {
    int n = Math.min(8, bytes.length);
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < n; i++) {
      hex.append(String.format("%02x", bytes[i]));
    }
    return new CorruptCheckpointException("not a student checkpoint: it starts with 0x" + hex
        + " instead of the magic \"" + MAGIC + "\"");
  }
}
