package org.streamdistill.student.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the trainer commits, inside its Kafka transaction, as the metadata of one soft-labels
 * partition's offset. The committed offset itself is the next offset after the last turn whose
 * prediction (or dead letter) that transaction published; the metadata says how to rebuild the
 * model that made those predictions:
 *
 * <ul>
 *   <li>{@code checkpoint}: the sequence number of the checkpoint file to load (0: none yet, start
 *       from the initial weights);
 *   <li>{@code resume}: the offset of the first turn of this partition that the checkpoint's
 *       weights have not learned; replay starts there;
 *   <li>{@code cuts}: offsets of turns after which a partial batch was learned (the stream had
 *       paused) since that checkpoint: a replay must cut its batches at the same places.
 * </ul>
 *
 * Encoded as {@code checkpoint=7;resume=1200;cuts=1300,1375}: a few dozen bytes, well under the
 * broker's {@code offset.metadata.max.bytes} (4096 by default) as long as the cuts are few, which
 * {@link StudentTrainer} guarantees by checkpointing once {@link #MAX_CUTS} have accumulated.
 */
record CommittedProgress(long checkpoint, long resumeOffset, List<Long> cuts) {

  /** Cuts of one partition that force a checkpoint, so that the metadata stays small. */
  static final int MAX_CUTS = 64;

  private static final String CHECKPOINT = "checkpoint=";
  private static final String RESUME = "resume=";
  private static final String CUTS = "cuts=";

  CommittedProgress {
    if (checkpoint < 0 || resumeOffset < 0) {
      throw new IllegalArgumentException("checkpoint and resume offset must be >= 0, got " + checkpoint + " and "
          + resumeOffset);
    }
    cuts = List.copyOf(cuts);
  }

  String encode() {
    StringBuilder s = new StringBuilder(CHECKPOINT).append(checkpoint).append(';').append(RESUME).append(resumeOffset)
        .append(';').append(CUTS);
    for (int i = 0; i < cuts.size(); i++) {
      s.append(i == 0 ? "" : ",").append(cuts.get(i));
    }
    return s.toString();
  }

  /** The progress encoded in {@code metadata}, or empty if it is not the trainer's (e.g. blank). */
  static Optional<CommittedProgress> decode(String metadata) {
    if (metadata == null) {
      return Optional.empty();
    }
    String[] fields = metadata.split(";", -1);
    if (fields.length != 3 || !fields[0].startsWith(CHECKPOINT) || !fields[1].startsWith(RESUME)
        || !fields[2].startsWith(CUTS)) {
      return Optional.empty();
    }
    try {
      long checkpoint = Long.parseLong(fields[0].substring(CHECKPOINT.length()));
      long resume = Long.parseLong(fields[1].substring(RESUME.length()));
      List<Long> cuts = new ArrayList<>();
      String cutList = fields[2].substring(CUTS.length());
      if (!cutList.isEmpty()) {
        for (String cut : cutList.split(",", -1)) {
          cuts.add(Long.parseLong(cut));
        }
      }
      return Optional.of(new CommittedProgress(checkpoint, resume, cuts));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
