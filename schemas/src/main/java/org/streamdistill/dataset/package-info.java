/**
 * Readers of the labelled corpora the pipeline replays and the teacher is fitted on. They
 * live beside the record schemas because two stages (producers, teacher-stream) read the
 * same files and must agree on splits and label order.
 */
package org.streamdistill.dataset;
