/**
 * Event time: which times a turn may claim to have happened at, so that no writer's clock
 * (a client's, a data file's, a foreign producer's) can make a record Kafka refuses or push a
 * stage's stream time ahead of the wall clock.
 */
package org.streamdistill.schemas.time;
