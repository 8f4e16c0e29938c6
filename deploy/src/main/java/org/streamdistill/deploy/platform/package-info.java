/**
 * The platform the pipeline runs on when everything shares one JVM: a single-node KRaft
 * Kafka broker started in-process ({@link org.streamdistill.deploy.platform.EmbeddedKafka})
 * and the provisioning of every catalogue topic with its dead-letter twin ({@link
 * org.streamdistill.deploy.platform.TopicProvisioner}). Both work unchanged against a real
 * cluster: only the bootstrap servers differ.
 */
package org.streamdistill.deploy.platform;
