/**
 * Clients of a schema registry that speaks the Confluent REST API, with caches both ways,
 * and an in-memory registry with the same semantics for network-free tests.
 */
package org.streamdistill.schemas.registry;
