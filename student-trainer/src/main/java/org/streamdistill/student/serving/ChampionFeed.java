package org.streamdistill.student.serving;

import java.net.URI;

/**
 * Tells a {@link StudentServer} which model version to serve and where its ONNX export lives.
 * In production this is {@link KafkaChampionFeed} (promotions plus checkpoints); tests feed
 * versions directly.
 */
public interface ChampionFeed extends AutoCloseable {

  /** Receives champion changes. */
  @FunctionalInterface
  interface Listener {
    /**
     * The model to serve is now {@code version}, exported at {@code onnxUri}. Called from the
     * feed's own thread, one call at a time; may block while the model loads.
     */
    void championChanged(String version, URI onnxUri);
  }

  /** Starts delivering changes to {@code listener}; returns without waiting for the first. */
  void start(Listener listener);

  /** Stops delivering and releases the feed's resources. */
  @Override
  void close();
}
