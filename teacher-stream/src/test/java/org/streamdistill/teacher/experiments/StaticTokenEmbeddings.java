package org.streamdistill.teacher.experiments;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.streamdistill.teacher.model.MiniLmEncoder;

/**
 * Hand-run experiment tool, not a test: the encoder's output for every vocabulary entry as a
 * one-token sentence ({@code [CLS] id [SEP]}, mean-pooled and unit length, as the teacher embeds
 * a turn), a static table of contextual word vectors for the student's embedding initialisation
 * experiments.
 *
 * <p>Usage: {@code StaticTokenEmbeddings <output file> [threads]}. Format (big-endian): int rows,
 * int width, then rows x width floats.
 */
public final class StaticTokenEmbeddings {

  private StaticTokenEmbeddings() {}

  public static void main(String[] args) throws IOException {
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int vocab = 30_522;
    long start = System.nanoTime();
    try (MiniLmEncoder encoder = new MiniLmEncoder(threads);
         DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(Path.of(args[0]))))) {
      out.writeInt(vocab);
      out.writeInt(encoder.dimension());
      for (int from = 0; from < vocab; from += 512) {
        List<int[]> batch = new ArrayList<>();
        for (int id = from; id < Math.min(vocab, from + 512); id++) {
          batch.add(new int[] {101, id, 102});
        }
        for (float[] row : encoder.embed(batch)) {
          for (float v : row) {
            out.writeFloat(v);
          }
        }
        if (from % 5120 == 0) {
          System.out.printf("%d / %d (%.0f s)%n", from, vocab, (System.nanoTime() - start) / 1e9);
        }
      }
    }
    System.out.printf("done in %.0f s%n", (System.nanoTime() - start) / 1e9);
  }
}
