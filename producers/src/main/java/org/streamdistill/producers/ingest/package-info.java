/**
 * Live chat ingestion: an HTTP endpoint ({@code POST /v1/conversations/{id}/turns}) that
 * checks a bearer token, validates each turn, numbers it within its conversation and
 * answers 202 only once Kafka has acknowledged it into {@code dialogue.turns}. Memory is
 * bounded by a cap on turns waiting for Kafka (past it, or when Kafka does not answer in
 * time, clients get 503 and retry), by the HTTP limits of its {@code BoundedHttpServer}, and
 * by the expiry and cap on the conversations whose numbering is kept.
 */
package org.streamdistill.producers.ingest;
