package org.streamdistill.teacher.selection;

import java.util.ArrayList;
import java.util.List;

/** Policy {@code all}: the teacher scores every turn (the pipeline before the gate existed). */
public final class AllPolicy implements SelectionPolicy {

  private static final Selection ALL = Selection.selected(SelectionReason.ALL, 1.0);

  @Override
  public List<Selection> decide(List<Candidate> window, long nowMillis) {
    List<Selection> out = new ArrayList<>(window.size());
    window.forEach(c -> out.add(ALL));
    return out;
  }

  @Override
  public boolean needsStudent() {
    return false;
  }
}
