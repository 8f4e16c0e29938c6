/**
 * Command-line tools for offline experiments, not tests: {@link
 * org.streamdistill.teacher.experiments.TeacherScoreCache} scores CLINC150 once with a teacher
 * bundle so that student experiments can replay the demo's stream without the teacher.
 */
package org.streamdistill.teacher.experiments;
