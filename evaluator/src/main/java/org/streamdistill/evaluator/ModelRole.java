package org.streamdistill.evaluator;

import java.util.Locale;

/**
 * The role a student model plays in a {@code ModelPrediction}: the challenger is the model
 * that keeps learning, the champion is the promoted, frozen model that serves users, and the
 * previous champion is the one the latest promotion replaced, which the trainer keeps
 * predicting so that the evaluator can roll back to it.
 */
public enum ModelRole {
  CHAMPION("champion"),
  CHALLENGER("challenger"),
  PREVIOUS("previous");

  private final String wireName;

  ModelRole(String wireName) {
    this.wireName = wireName;
  }

  /** The spelling used in {@code ModelPrediction.role}. */
  public String wireName() {
    return wireName;
  }

  /** Whether {@code role} (as written on the wire, any case) names this role. */
  public boolean matches(String role) {
    return role != null && wireName.equals(role.toLowerCase(Locale.ROOT));
  }
}
