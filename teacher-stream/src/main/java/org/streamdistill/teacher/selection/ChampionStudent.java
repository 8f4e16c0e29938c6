package org.streamdistill.teacher.selection;

import java.util.List;

/** The champion student as the gate sees it: texts in, class probabilities out. */
public interface ChampionStudent extends AutoCloseable {

  /** The model version, as {@code model.promotions} names it. */
  String version();

  /** One row of class probabilities per text, in order. */
  float[][] probabilities(List<String> texts) throws Exception;

  @Override
  void close();
}
