/**
 * The topic catalogue: every topic's name, value record, partitions, cleanup policy and
 * dead-letter twin, in one immutable place that all stages share.
 */
package org.streamdistill.schemas.topic;
