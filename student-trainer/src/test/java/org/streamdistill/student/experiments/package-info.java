/**
 * Hand-run experiments on how the student learns, not tests: {@link
 * org.streamdistill.student.experiments.OnlineDistillationExperiment} replays the demo's online
 * stream from a cache of the teacher's scores and reports validation and test accuracy.
 */
package org.streamdistill.student.experiments;
