package org.streamdistill.student.serving;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded student with a reference count, so that a model swapped out while requests still run
 * on it is closed by the last of them, not under them. The slot that publishes it holds one
 * reference; each request {@link #tryRetain() retains} one for its duration and {@link
 * #release() releases} it. The count reaching zero closes the model, exactly once; after that
 * {@link #tryRetain()} fails, and the caller reads the slot again (it already holds the
 * successor).
 */
final class ServedModel {

  private final OnnxStudent model;
  private final Runnable onClosed;
  // Starts at 1: the reference of the slot that publishes the model.
  private final AtomicInteger references = new AtomicInteger(1);

  ServedModel(OnnxStudent model, Runnable onClosed) {
    this.model = model;
    this.onClosed = onClosed;
  }

  OnnxStudent model() {
    return model;
  }

  String version() {
    return model.version();
  }

  /** Takes a reference unless the model was already released by everyone (then false). */
  boolean tryRetain() {
    while (true) {
      int n = references.get();
      if (n == 0) {
        return false;
      }
      if (references.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives a reference back; the last one closes the model. */
  void release() {
    int n = references.decrementAndGet();
    if (n == 0) {
      try {
        model.close();
      } finally {
        onClosed.run();
      }
    } else if (n < 0) {
      throw new IllegalStateException("model " + version() + " released more often than retained");
    }
  }

  boolean isClosed() {
    return references.get() == 0;
  }
}
