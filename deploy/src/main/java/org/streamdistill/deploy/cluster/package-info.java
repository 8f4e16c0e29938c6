/**
 * The commands that run the pipeline's pieces as separate processes against an external
 * Kafka cluster, instead of the embedded platform: provisioning the catalogue's topics
 * ({@code provision}), serving the schema registry on its own ({@code registry}), and a whole
 * local cluster on one machine ({@code cluster up|status|down}: Kafka nodes, a Flink session
 * cluster running the teacher job jar, and every stage, each a JVM of its own, started from
 * the same class path as {@code bin/streamdistill} with {@link
 * org.streamdistill.deploy.cluster.JvmCommand}). {@code deploy/cluster/README.md} walks through
 * a whole deployment.
 */
package org.streamdistill.deploy.cluster;
