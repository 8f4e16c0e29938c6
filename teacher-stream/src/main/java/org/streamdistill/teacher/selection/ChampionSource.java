package org.streamdistill.teacher.selection;

import java.io.Serializable;
import org.streamdistill.schemas.registry.SchemaRegistryClient;

/**
 * Where the gate gets the current champion student from. Called on the operator's thread at each
 * window; an implementation looks for a new champion at its own pace and swaps it in between two
 * calls, closing the one it replaces.
 */
public interface ChampionSource extends AutoCloseable {

  /** The champion to predict with now, or null while there is none. */
  ChampionStudent current(long nowMillis) throws Exception;

  @Override
  void close();

  /** Opens a source in a subtask; travels with the job graph, so it holds settings only. */
  @FunctionalInterface
  interface Factory extends Serializable {
    ChampionSource open(SchemaRegistryClient registry) throws Exception;
  }

  /** No champion ever: every policy that needs one passes every turn. */
  static ChampionSource none() {
    return new ChampionSource() {
      @Override
      public ChampionStudent current(long nowMillis) {
        return null;
      }

      @Override
      public void close() {}
    };
  }
}
