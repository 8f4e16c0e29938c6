/**
 * Durable student state: {@link org.streamdistill.student.checkpoint.ModelState} captures a
 * model's weights, its optimizer's moments and step count, its config and free-form metadata,
 * and writes them as one checksummed binary file that is replaced atomically, so a crash
 * leaves either the previous checkpoint or the new one, never a torn file; reading refuses
 * truncated or corrupt files with a message that says which.
 */
package org.streamdistill.student.checkpoint;
