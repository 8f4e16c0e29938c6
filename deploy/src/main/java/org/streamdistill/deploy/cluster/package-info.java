/**
 * The commands that run the pipeline's pieces as separate processes against an external
 * Kafka cluster, instead of the embedded platform: provisioning the catalogue's topics
 * ({@code provision}) and serving the schema registry on its own ({@code registry}). The
 * stages themselves run through their own {@code main}s; {@code deploy/cluster/README.md}
 * walks through a whole deployment.
 */
package org.streamdistill.deploy.cluster;
