/**
 * Labelled utterance files other than CLINC150, read as dialogue turns: JSON Lines and CSV
 * with a column mapping (text, label, conversation id, timestamp, speaker), single utterances
 * grouped into conversations when the file has none, and a seed that fixes every random
 * choice (order, grouping, which labels are kept, which turns are held out).
 */
package org.streamdistill.producers.dataset;
