/**
 * Event times given by outsiders (an HTTP client, a column of a data file): one parser for
 * ISO-8601 instants and epoch milliseconds, so ingestion and dataset replay accept the same
 * spellings and refuse the same mistakes with the same message.
 */
package org.streamdistill.producers.time;
