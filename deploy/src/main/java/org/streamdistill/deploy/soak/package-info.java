/**
 * The fault-injection soak: the pipeline with every stage in its own process against a broker
 * process, real traffic, and a seeded schedule of faults (process kills and restarts, bad
 * input of every kind, slow connections), then a count from the topics of what was lost or
 * duplicated and how long each kind of fault took to recover from.
 */
package org.streamdistill.deploy.soak;
