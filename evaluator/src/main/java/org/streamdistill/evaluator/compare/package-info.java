/**
 * {@code compare}: experiments end with an answer. Two or more namespaces' predictions of the
 * same turns, paired; differences with paired-bootstrap intervals and exact McNemar p-values;
 * learning curves; a table, JSON and a self-contained HTML report.
 */
package org.streamdistill.evaluator.compare;
