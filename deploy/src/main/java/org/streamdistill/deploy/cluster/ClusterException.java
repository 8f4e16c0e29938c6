package org.streamdistill.deploy.cluster;

/** A failure of the local cluster with a message a user can act on (no stack trace needed). */
public final class ClusterException extends RuntimeException {
  public ClusterException(String message) {
    super(message);
  }
}
