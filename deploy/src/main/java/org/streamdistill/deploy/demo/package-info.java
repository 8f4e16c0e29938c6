/**
 * The {@code demo} command: the whole pipeline assembled in one JVM from the stages' own
 * classes ({@link org.streamdistill.deploy.demo.EmbeddedPipeline}), fed with CLINC150, and
 * summarised from what the topics hold at the end.
 */
package org.streamdistill.deploy.demo;
