/**
 * Replay of labelled corpora as dialogue turns: which utterances, in which order, grouped
 * into which conversations, with which gold labels, all fixed by a seed.
 */
package org.streamdistill.producers.replay;
