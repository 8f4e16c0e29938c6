/**
 * Clients of a schema registry that speaks the Confluent REST API, with caches both ways,
 * and an in-memory registry with the same semantics for network-free tests. {@link
 * org.streamdistill.schemas.registry.RegistryClientSettings} defines, once for every command,
 * how the registry is reached: URL, basic credentials, TLS trust.
 */
package org.streamdistill.schemas.registry;
