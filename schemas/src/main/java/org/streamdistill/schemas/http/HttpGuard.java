package org.streamdistill.schemas.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a request through to an endpoint's handler only with the right {@code Authorization}
 * header: a bearer token ({@link BearerToken}) or a known user's basic credentials ({@link
 * BasicAuthUsers}), both checked in constant time. Others get 401 with {@code WWW-Authenticate}
 * and the endpoint's own error body; the header's value is never logged. Paths listed as open
 * (a health check, say) pass without credentials.
 */
public final class HttpGuard {

  private static final Logger LOG = LoggerFactory.getLogger(HttpGuard.class);

  private final Predicate<String> accepts;
  private final String challenge;
  private final String contentType;
  private final byte[] unauthorizedBody;
  private final AtomicLong refused = new AtomicLong();

  private HttpGuard(Predicate<String> accepts, String challenge, String contentType, byte[] unauthorizedBody) {
    this.accepts = Objects.requireNonNull(accepts);
    this.challenge = challenge;
    this.contentType = contentType;
    this.unauthorizedBody = unauthorizedBody.clone();
  }

  /** Requests must carry {@code Authorization: Bearer <token>}. */
  public static HttpGuard bearer(BearerToken token, String realm, String contentType, String unauthorizedBody) {
    Objects.requireNonNull(token, "token");
    return new HttpGuard(token::accepts, "Bearer realm=\"" + realm + "\"", contentType,
        unauthorizedBody.getBytes(StandardCharsets.UTF_8));
  }

  /** Requests must carry {@code Authorization: Basic ...} of one of {@code users}. */
  public static HttpGuard basic(BasicAuthUsers users, String realm, String contentType, String unauthorizedBody) {
    Objects.requireNonNull(users, "users");
    return new HttpGuard(header -> users.authenticate(header) != null,
        "Basic realm=\"" + realm + "\", charset=\"UTF-8\"", contentType,
        unauthorizedBody.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether {@code authorizationHeader} (null when absent) lets a request through. */
  public boolean accepts(String authorizationHeader) {
    return accepts.test(authorizationHeader);
  }

  /** Requests refused so far. */
  public long refused() {
    return refused.get();
  }

  /**
   * {@code handler} behind this guard; requests whose path is one of {@code openPaths} (exact
   * match) pass without credentials.
   */
  public Handler protect(Handler handler, Set<String> openPaths) {
    Set<String> open = Set.copyOf(openPaths);
    return new Handler.Wrapper(handler) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (open.contains(request.getHttpURI().getPath())
            || accepts.test(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
          return super.handle(request, response, callback);
        }
        long count = refused.incrementAndGet();
        // A scan or a misconfigured client refused in a loop would otherwise flood the log.
        if (count == 1 || count % 100 == 0) {
          LOG.warn("refused a request without valid credentials from {} ({} so far)",
              Request.getRemoteAddr(request), count);
        }
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, challenge);
        BoundedHttpServer.answer(response, callback, 401, contentType, unauthorizedBody);
        return true;
      }
    };
  }

  /** {@code handler} behind this guard, every path included. */
  public Handler protect(Handler handler) {
    return protect(handler, Set.of());
  }
}
