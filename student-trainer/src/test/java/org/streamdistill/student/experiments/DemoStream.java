package org.streamdistill.student.experiments;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The training turns of the demo's replay, in order: the same draws from {@code new
 * Random(seed)} as producers' {@code Clinc150Turns} (each pass a shuffle of train + oos_train,
 * conversations of 1 to 6 turns, a gold label on each turn with probability {@code goldFraction}),
 * so the same seed gives the same order and the same labelled turns. (The demo's trainer reads
 * the topic's partitions interleaved; this replays the producer's order.)
 *
 * @param example index into train + oos_train of each turn
 * @param gold whether each turn carries its gold label
 */
record DemoStream(int[] example, boolean[] gold) {

  static final int MAX_TURNS_PER_CONVERSATION = 6;

  static DemoStream of(int trainSize, int passes, double goldFraction, long seed) {
    Random random = new Random(seed);
    int[] example = new int[trainSize * passes];
    boolean[] gold = new boolean[example.length];
    int next = 0;
    for (int pass = 0; pass < passes; pass++) {
      List<Integer> order = new ArrayList<>(trainSize);
      for (int i = 0; i < trainSize; i++) {
        order.add(i);
      }
      Collections.shuffle(order, random);
      int i = 0;
      while (i < trainSize) {
        int length = 1 + random.nextInt(MAX_TURNS_PER_CONVERSATION);
        for (int t = 0; t < length && i < trainSize; t++, i++) {
          gold[next] = random.nextDouble() < goldFraction;
          example[next++] = order.get(i);
        }
      }
    }
    return new DemoStream(example, gold);
  }

  int size() {
    return example.length;
  }
}
