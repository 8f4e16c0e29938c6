/**
 * Command-line tools for offline experiments, not tests: {@link
 * org.streamdistill.teacher.experiments.TeacherScoreCache} scores CLINC150 once with a teacher
 * bundle so that student experiments can replay the demo's stream without the teacher; {@link
 * org.streamdistill.teacher.experiments.TeacherCostRounds} times several teacher bundles side by side.
 */
package org.streamdistill.teacher.experiments;
