/**
 * Experiments beside production on the platform: experiment namespaces get every catalogue
 * topic (turns, soft labels, predictions, checkpoints, metrics, promotions and their
 * dead-letter twins) from the same {@link org.streamdistill.deploy.platform.TopicProvisioner}
 * that creates production's, so the stages can run on a namespace unchanged.
 */
package org.streamdistill.deploy.experiment;
