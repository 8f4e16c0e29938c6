package org.streamdistill.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class RetryingSchemaRegistryClientTest {

  private static final Schema SCHEMA = SchemaBuilder.record("T").fields().requiredString("a").endRecord();

  /** Answers with the scripted failures first, then with {@link #SCHEMA}. */
  private static final class ScriptedRegistry implements SchemaRegistryClient {
    final Deque<SchemaRegistryException> failures = new ArrayDeque<>();
    int calls;

    @Override
    public int register(String subject, Schema schema) {
      calls++;
      if (!failures.isEmpty()) {
        throw failures.poll();
      }
      return 7;
    }

    @Override
    public Schema schemaById(int id) {
      calls++;
      if (!failures.isEmpty()) {
        throw failures.poll();
      }
      return SCHEMA;
    }
  }

  private final ScriptedRegistry registry = new ScriptedRegistry();
  private final List<Long> pauses = new ArrayList<>();

  private RetryingSchemaRegistryClient client(Duration maxWait) {
    return new RetryingSchemaRegistryClient(registry, Duration.ofMillis(100), Duration.ofMillis(400), maxWait,
        pauses::add);
  }

  @Test
  void shouldWaitOutUnreachableAndServerErrorsWithDoublingBoundedPauses() {
    registry.failures.add(new SchemaRegistryException("connection refused", new java.io.IOException("refused")));
    registry.failures.add(new SchemaRegistryException(503, 50301, "unavailable"));
    registry.failures.add(new SchemaRegistryException(500, 50001, "store error"));
    registry.failures.add(new SchemaRegistryException(429, 429, "slow down"));
    registry.failures.add(new SchemaRegistryException(502, 502, "bad gateway"));
    RetryingSchemaRegistryClient client = client(null);

    assertThat(client.schemaById(3)).isEqualTo(SCHEMA);

    assertThat(pauses).containsExactly(100L, 200L, 400L, 400L, 400L);
    assertThat(registry.calls).isEqualTo(6);
    assertThat(client.retries()).isEqualTo(5);
    assertThat(client.waiting()).isFalse();
  }

  @Test
  void shouldPassDefiniteAnswersThroughAtOnce() {
    for (int status : new int[] {404, 409, 401, 403, 422}) {
      registry.failures.add(new SchemaRegistryException(status, status, "definite " + status));
      RetryingSchemaRegistryClient client = client(null);

      assertThatThrownBy(() -> client.schemaById(3)).isInstanceOfSatisfying(SchemaRegistryException.class,
          e -> assertThat(e.status()).isEqualTo(status));
    }
    assertThat(pauses).isEmpty();
  }

  @Test
  void shouldGiveUpAfterMaxWaitWithTheLastError() {
    for (int i = 0; i < 10; i++) {
      registry.failures.add(new SchemaRegistryException(503, 503, "down " + i));
    }
    RetryingSchemaRegistryClient client = client(Duration.ofMillis(700));

    assertThatThrownBy(() -> client.register("s", SCHEMA)).hasMessage("down 3");
    assertThat(pauses).containsExactly(100L, 200L, 400L);
  }
}
