package org.streamdistill.student.serving;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The model currently served, swappable while requests run: an {@link AtomicReference} to an
 * immutable, reference-counted {@link ServedModel}. A swap publishes the new model first, then
 * drops the slot's reference to the old one, which closes when its last request releases it.
 * So every request runs start to end on one model version and none is refused or dropped
 * during a swap.
 */
final class ChampionSlot implements AutoCloseable {

  private final AtomicReference<ServedModel> current = new AtomicReference<>();

  /**
   * The served model, retained for the caller (who must {@link ServedModel#release()} it), or
   * null while nothing is served.
   */
  ServedModel acquire() {
    while (true) {
      ServedModel served = current.get();
      if (served == null || served.tryRetain()) {
        return served;
      }
      // Swapped out and fully released between get() and tryRetain(): the slot already holds
      // the successor.
    }
  }

  /** Serves {@code next} from now on; the previous model closes once its requests finish. */
  void swap(ServedModel next) {
    ServedModel previous = current.getAndSet(next);
    if (previous != null) {
      previous.release();
    }
  }

  /** The version served now, or null. */
  String version() {
    ServedModel served = current.get();
    return served == null ? null : served.version();
  }

  /** Stops serving; the last model closes once its requests finish. */
  @Override
  public void close() {
    swap(null);
  }
}
