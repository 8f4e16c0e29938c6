/**
 * The {@code fit} command, which produces a teacher bundle: it embeds CLINC150 with the frozen
 * encoder, trains the softmax head by Adam ({@link org.streamdistill.teacher.fit.TeacherFit}),
 * calibrates its logit scale on the validation split
 * ({@link org.streamdistill.teacher.fit.TemperatureScaling}), measures accuracy, out-of-scope
 * recall and soft-label entropy on the test split
 * ({@link org.streamdistill.teacher.fit.Evaluation}) and writes the bundle.
 * With several encoders it fits one head on each and combines them into an ensemble
 * ({@link org.streamdistill.teacher.fit.EnsembleFit}), and it times every teacher's scoring
 * ({@link org.streamdistill.teacher.fit.ScoringCost}).
 * {@link org.streamdistill.teacher.fit.FitCommand} is the command-line entry point.
 */
package org.streamdistill.teacher.fit;
