/**
 * The one way the pipeline serves HTTP: {@link org.streamdistill.schemas.http.BoundedHttpServer}
 * puts an endpoint's Jetty core handler behind a server whose every resource is bounded (request
 * threads, the queue of waiting requests, connections, header size and time, idle time, body
 * size and time), so that a slow or flooding client costs that endpoint some 503s and never the
 * process its memory or the other endpoints their threads. The limits are typed settings that
 * each app adds to its own {@code ConfigDef} under its own prefix.
 *
 * <p>Security lives here too, so every endpoint gets it the same way: {@link
 * org.streamdistill.schemas.http.HttpTls} (an endpoint's key store: HTTPS), {@link
 * org.streamdistill.schemas.http.HttpGuard} in front of a handler (a {@link
 * org.streamdistill.schemas.http.BearerToken} or {@link org.streamdistill.schemas.http.BasicAuthUsers},
 * checked in constant time), and on the client side {@link
 * org.streamdistill.schemas.http.BasicCredentials} and {@link org.streamdistill.schemas.http.KeyStores},
 * which need no Jetty.
 */
package org.streamdistill.schemas.http;
