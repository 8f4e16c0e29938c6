/**
 * The one way the pipeline serves HTTP: {@link org.streamdistill.schemas.http.BoundedHttpServer}
 * puts an endpoint's Jetty core handler behind a server whose every resource is bounded (request
 * threads, the queue of waiting requests, connections, header size and time, idle time, body
 * size and time), so that a slow or flooding client costs that endpoint some 503s and never the
 * process its memory or the other endpoints their threads. The limits are typed settings that
 * each app adds to its own {@code ConfigDef} under its own prefix.
 */
package org.streamdistill.schemas.http;
