package org.streamdistill.deploy.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The soak's live chat: posts one valid turn after another to the ingestion endpoint at a
 * fixed rate, as a well-behaved client would: a 503 or a refused connection (ingestion or the
 * broker restarting) is retried after a pause that doubles up to 2 s. Runs on its own thread.
 */
final class TurnTraffic implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TurnTraffic.class);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private final URI base;
  private final String token;
  private final List<String> texts;
  private final double ratePerSecond;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Thread thread;
  private volatile boolean running = true;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  TurnTraffic(URI base, String token, List<String> texts, double ratePerSecond) {
    this.base = base;
    this.token = token;
    this.texts = List.copyOf(texts);
    this.ratePerSecond = ratePerSecond;
    this.thread = new Thread(this::run, "soak-traffic");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    long intervalNanos = (long) (1e9 / ratePerSecond);
    long next = System.nanoTime();
    long n = 0;
    while (running) {
      String conversation = "soak-c" + (n / 5);
      String body = JSON.createObjectNode().put("speaker", "user").put("text", texts.get((int) (n % texts.size())))
          .toString();
      n++;
      long backoff = 100;
      while (running) {
        int status = post(base, token, conversation, body);
        if (status == 202) {
          accepted.incrementAndGet();
          break;
        }
        if (status / 100 == 4) {
          refused.incrementAndGet();
          LOG.warn("valid turn refused with {}: {}", status, body);
          break;
        }
        retried.incrementAndGet();
        sleep(backoff);
        backoff = Math.min(2_000, backoff * 2);
      }
      next += intervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        sleep(wait / 1_000_000);
      } else {
        next = System.nanoTime(); // fell behind during an outage: do not burst to catch up
      }
    }
  }

  /** POSTs one turn; the HTTP status, or 0 when there was no answer. */
  int post(URI base, String token, String conversation, String body) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/conversations/" + conversation + "/turns"))
              .timeout(Duration.ofSeconds(20))
              .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
      return 0;
    }
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  long accepted() {
    return accepted.get();
  }

  long retried() {
    return retried.get();
  }

  /** Valid turns answered 4xx: each one is a defect. */
  long refused() {
    return refused.get();
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
